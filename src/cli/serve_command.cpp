// `serve` and `migrate`: wire settings, store, cache, recorder and HTTP server together.
#include "cli/commands.hpp"
#include "cli/idle_memory.hpp"
#include "cli/logging.hpp"
#include "cli/node_runtime.hpp"
#include "cli/open_file_limit.hpp"

#include "api/app_context.hpp"
#include "api/routes.hpp"
#include "config/settings.hpp"
#include "http/server.hpp"
#include "service/blocking_pool.hpp"
#include "service/deployment_directory.hpp"
#include "service/execution_recorder.hpp"
#include "storage/store.hpp"
#include "util/time_format.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <thread>

namespace clara::cli {
namespace asio = boost::asio;

namespace {

std::optional<config::Settings> load_or_report() {
    std::vector<std::string> problems;
    auto settings = config::load_settings(config::process_environment(), problems);
    if (!problems.empty()) {
        for (const auto& problem : problems) {
            std::cerr << "configuration error: " << problem << "\n";
        }
        return std::nullopt;
    }
    try {
        configure_logging(settings);
    } catch (const std::exception& e) {
        std::cerr << "configuration error: LOG_FILE: " << e.what() << "\n";
        return std::nullopt;
    }
    return settings;
}

std::unique_ptr<storage::Store> open_and_migrate(const config::Settings& settings) {
    storage::StoreOptions options;
    options.pool_min = settings.db_pool_min;
    options.pool_max = settings.db_pool_max;
    options.ssl = settings.db_ssl;
    options.ssl_verify = settings.db_ssl_verify;
    options.sqlite_sync_every_commit = settings.sqlite_sync_every_commit;
    auto store = storage::open_store(settings.database_url, options);
    const int applied = store->migrate();
    if (applied > 0) {
        spdlog::info("applied {} database migration(s)", applied);
    }
    return store;
}

/// Prunes executions older than EXECUTION_RETENTION_DAYS, now and then every CLEANUP_INTERVAL_MS.
asio::awaitable<void> prune_old_executions(const config::Settings& settings, storage::Store& store,
                                           service::BlockingPool& blocking) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (true) {
        const auto cutoff = util::now_ms() - static_cast<std::int64_t>(settings.execution_retention_days) *
                                                 24 * 3600 * 1000;
        try {
            const auto deleted =
                co_await blocking.run([&store, cutoff] { return store.delete_executions_before(cutoff); });
            if (deleted > 0) {
                spdlog::info("pruned {} execution(s) older than {} days", deleted,
                             settings.execution_retention_days);
            }
        } catch (const std::exception& e) {
            spdlog::warn("pruning old executions failed: {}", e.what());
        }
        timer.expires_after(settings.cleanup_interval);
        const auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
    }
}

}  // namespace

int migrate() {
    const auto settings = load_or_report();
    if (!settings) {
        return 1;
    }
    try {
        open_and_migrate(*settings);
    } catch (const std::exception& e) {
        std::cerr << "migration failed: " << e.what() << "\n";
        return 1;
    }
    std::cout << "database is up to date (" << config::describe_database(*settings) << ")\n";
    return 0;
}

int serve() {
    const auto loaded = load_or_report();
    if (!loaded) {
        return 1;
    }
    const auto& settings = *loaded;
    std::unique_ptr<storage::Store> store;
    try {
        store = open_and_migrate(settings);
        if (const int interrupted = store->mark_interrupted_executions(); interrupted > 0) {
            spdlog::warn("marked {} execution(s) left running by a previous process as interrupted",
                         interrupted);
        }
    } catch (const std::exception& e) {
        spdlog::critical("database unavailable ({}): {}", config::describe_database(settings), e.what());
        return 1;
    }

    const unsigned threads =
        settings.io_threads > 0 ? settings.io_threads : std::max(1u, std::thread::hardware_concurrency());
    asio::io_context io(static_cast<int>(threads));
    std::vector<std::string> runtime_problems;
    const auto runtime = make_node_runtime(settings, io, runtime_problems);
    if (!runtime_problems.empty()) {
        for (const auto& problem : runtime_problems) {
            spdlog::critical("configuration error: {}", problem);
        }
        return 1;
    }
    const auto& catalog = *runtime.catalog;

    service::BlockingPool blocking(2);
    // Deployments are compiled when first asked for, and the least recently used leave memory.
    service::DeploymentDirectory deployments(*store, blocking, catalog,
                                             static_cast<std::size_t>(settings.deployment_cache_size));
    auto subscription = store->watch_deployment_changes([&](const std::string& id) {
        try {
            deployments.apply_change(id);
        } catch (const std::exception& e) {
            spdlog::warn("could not apply a deployment change ({}): {}", id.empty() ? "all" : id, e.what());
        }
    });
    service::ExecutionRecorder recorder(*store);
    service::ExecutionGate gate(settings.max_concurrent_executions, settings.max_queued_executions);
    raise_open_file_limit(settings.max_concurrent_executions);
    // In the database when instances share it (PostgreSQL), in memory on SQLite.
    const auto rate_limit_counter = service::make_rate_limit_counter(
        *store, settings.rate_limit_max_requests, settings.rate_limit_window);
    auto& rate_limiter = *rate_limit_counter;
    service::FixedWindowRateLimiter auth_failures(settings.auth_fail_limit, std::chrono::minutes(15));
    if (settings.admin_api_key.empty()) {
        spdlog::warn("ADMIN_API_KEY is not set: deploy and the deployment list accept local "
                     "clients only; set it to manage the runner from elsewhere");
    }
    api::AppContext app{.settings = settings,
                        .store = *store,
                        .blocking = blocking,
                        .recorder = recorder,
                        .deployments = deployments,
                        .catalog = catalog,
                        .gate = gate,
                        .rate_limiter = rate_limiter,
                        .auth_failures = auth_failures,
                        .cors = api::CorsPolicy(settings.cors_origins),
                        .limits = {.max_input_size = settings.max_input_size,
                                   .strict_node_errors = settings.strict_node_errors,
                                   .max_execution_time = settings.max_execution_time},
                        .started_at_ms = util::now_ms()};
    const auto router = api::build_router(app);

    http::ServerSettings server_settings;
    server_settings.host = settings.host;
    server_settings.port = settings.port;
    // Access log: one line per request with its id, never headers or bodies (they hold keys).
    // Failures show at the default level; successes at debug, so the hot path writes nothing.
    const auto access_log = [](const http::Request& request, const http::Response& response,
                               std::chrono::microseconds duration) {
        const auto level = response.status >= 400 ? spdlog::level::info : spdlog::level::debug;
        if (spdlog::should_log(level)) {
            spdlog::log(level, "{} {} {} - {:.1f}ms id={}", request.method, request.path,
                        response.status, duration.count() / 1000.0, request.request_id);
        }
    };
    http::Server server(io, server_settings, router, api::transport_error, access_log);
    try {
        server.start();
    } catch (const std::exception& e) {
        spdlog::critical("cannot listen on {}:{}: {}", settings.host, settings.port, e.what());
        return 1;
    }
    spdlog::info("Clara Agent Runner listening on {}:{} (database {}, {} I/O threads, up to {} "
                 "compiled deployments cached)",
                 settings.host, server.port(), config::describe_database(settings), threads,
                 settings.deployment_cache_size);

    // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, stop after the grace period.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::steady_timer grace(io);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) {
            return;
        }
        spdlog::info("signal {} received; draining connections", signal);
        server.shutdown([&io] { io.stop(); });
        grace.expires_after(settings.shutdown_grace);
        grace.async_wait([&io](const boost::system::error_code& wait_ec) {
            if (!wait_ec) {
                spdlog::warn("grace period over; stopping with requests still open");
                io.stop();
            }
        });
    });

    if (settings.cleanup_old_executions) {
        asio::co_spawn(io, prune_old_executions(settings, *store, blocking), asio::detached);
    }
    asio::co_spawn(io, release_memory_when_idle(gate, blocking), asio::detached);

    std::vector<std::thread> workers;
    for (unsigned i = 1; i < threads; ++i) {
        workers.emplace_back([&io] { io.run(); });
    }
    io.run();
    for (auto& worker : workers) {
        worker.join();
    }
    runtime.shutdown();
    subscription.reset();
    blocking.join();
    recorder.stop();
    spdlog::info("stopped");
    return 0;
}

}  // namespace clara::cli
