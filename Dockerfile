# Clara Agent Runner: build on Debian 12 with the same packages as scripts/install-deps.sh, then
# run the single binary on a slim Debian 12 with only its shared libraries.
#
#   docker build -t clara-runner .
#   docker run -p 3000:3000 -v clara-data:/app/data clara-runner

# ---- build stage ---------------------------------------------------------------------------
FROM debian:12 AS build

ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config ca-certificates \
        libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
        libssl-dev libsqlite3-dev libpq-dev libpoppler-cpp-dev libspdlog-dev libfmt-dev \
        libcli11-dev libgtest-dev libgmock-dev \
        nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Swagger UI is embedded in the binary from node_modules; only the runtime package is needed
# (the browser-test tools are dev dependencies). No install scripts are run.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

COPY CMakeLists.txt ./
COPY cmake ./cmake
COPY src ./src
COPY web ./web
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLARA_BUILD_TESTS=OFF \
    && cmake --build build -j "$(nproc)" --target clara-runner \
    && strip --strip-debug build/clara-runner

# ---- runtime stage -------------------------------------------------------------------------
FROM debian:12-slim AS runtime

ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libboost-json1.81.0 libboost-url1.81.0 libssl3 libsqlite3-0 libpq5 \
        libspdlog1.10 libfmt9 libpoppler-cpp0v5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system clara \
    && useradd --system --gid clara --home-dir /app --no-create-home --shell /usr/sbin/nologin clara \
    && mkdir -p /app/data /app/logs \
    && chown -R clara:clara /app

COPY --from=build /src/build/clara-runner /usr/local/bin/clara-runner

WORKDIR /app
ENV HOST=0.0.0.0 \
    PORT=3000 \
    NODE_ENV=production \
    LOG_FORMAT=json \
    LOG_FILE=/app/logs/clara-runner.log
# SQLite lives in /app/data (./data/clara.db) unless DATABASE_URL names PostgreSQL.
VOLUME ["/app/data", "/app/logs"]
USER clara
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/health" >/dev/null || exit 1

# The binary handles SIGTERM itself: it stops accepting and lets in-flight requests finish
# within SHUTDOWN_GRACE_MS (keep it below the stop timeout, 10 s by default in Docker).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/clara-runner"]
CMD ["serve"]
