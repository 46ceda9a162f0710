#include "client/beast_http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <stdexcept>

#include "client/connection_pool.hpp"
#include "engine/execution_context.hpp"

namespace clara::client {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using engine::OutboundError;
using engine::OutboundErrorKind;
using engine::OutboundHeaders;
using engine::OutboundResponse;
using engine::OutboundResult;
using SteadyClock = std::chrono::steady_clock;
using Strand = net::strand<net::io_context::executor_type>;

// Errors come back as values (`auto [ec, n] = co_await ...`), never as exceptions.
constexpr auto kAsTuple = net::as_tuple(net::use_awaitable);

constexpr std::size_t kReadChunk = 16 * 1024;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
    return std::any_of(names.begin(), names.end(),
                       [&](std::string_view n) { return iequals(n, name); });
}

/// RFC 9110 token (method and header names).
bool is_token(std::string_view text) {
    static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) || kSpecials.find(static_cast<char>(c)) != std::string_view::npos;
    });
}

/// A header value must not end the line it is on.
bool is_safe_value(std::string_view value) {
    return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

/// Framing headers the client writes itself.
bool is_managed_header(std::string_view name) {
    return is_one_of(name, {"host", "content-length", "transfer-encoding", "connection",
                            "keep-alive", "te", "upgrade", "proxy-connection"});
}

/// Headers that carry credentials; they do not follow a redirect to another origin.
bool is_credential_header(std::string_view name) {
    return is_one_of(name,
                     {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"});
}

/// Headers that describe a request body; dropped when a redirect turns the request into a GET.
bool is_body_header(std::string_view name) {
    return is_one_of(name,
                     {"content-type", "content-encoding", "content-language", "content-location"});
}

bool is_idempotent(std::string_view method) {
    return is_one_of(method, {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"});
}

bool is_redirect(unsigned status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

IpAddress from_asio(const net::ip::address& address) {
    IpAddress out;
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
    } else {
        out.v6 = true;
        const auto bytes = address.to_v6().to_bytes();
        std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
    }
    return out;
}

tcp::endpoint to_endpoint(const IpAddress& address, std::uint16_t port) {
    if (!address.v6) {
        net::ip::address_v4::bytes_type bytes;
        std::copy_n(address.bytes.begin(), bytes.size(), bytes.begin());
        return {net::ip::address_v4(bytes), port};
    }
    net::ip::address_v6::bytes_type bytes;
    std::copy(address.bytes.begin(), address.bytes.end(), bytes.begin());
    return {net::ip::address_v6(bytes), port};
}

std::string millis(std::chrono::milliseconds duration) {
    return std::to_string(duration.count()) + "ms";
}

/// The next URL of a redirect: `location` resolved against `base` (RFC 3986 § 5.2).
std::optional<std::string> resolve_location(std::string_view base, std::string_view location) {
    auto base_url = boost::urls::parse_uri(base);
    auto reference = boost::urls::parse_uri_reference(location);
    if (!base_url || !reference) {
        return std::nullopt;
    }
    boost::urls::url resolved;
    if (!boost::urls::resolve(*base_url, *reference, resolved)) {
        return std::nullopt;
    }
    resolved.remove_fragment();
    return std::string(resolved.buffer());
}

/// Certificate problems are named ("self-signed certificate"), other failures by OpenSSL's text.
std::string describe_tls_failure(Connection::TlsStream& stream, const error_code& ec) {
    const long verify = SSL_get_verify_result(stream.native_handle());
    if (verify != X509_V_OK) {
        return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
    }
    return ec.message();
}

/// What one request/response exchange on a connection produced.
struct Exchange {
    std::optional<OutboundError> error;
    bool stale = false;  ///< failed before any response byte: a reused connection the peer closed
    bool reusable = false;
    unsigned status = 0;
    std::string reason;
    OutboundHeaders headers;
    std::string body;
    std::string location;
};

}  // namespace

/// What every call of one client shares: the policy, settings, TLS context and idle pool.
struct detail::ClientCore {
    ClientCore(net::io_context& io_context,
               OutboundPolicy outbound_policy,
               ClientSettings client_settings)
        : io(io_context),
          policy(std::move(outbound_policy)),
          settings(std::move(client_settings)),
          pool(PoolSettings{settings.idle_timeout, settings.max_idle_per_origin,
                            settings.max_idle_total}) {
        tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        error_code ec;
        tls.set_default_verify_paths(ec);
        if (ec) {
            spdlog::warn("outbound TLS: system CA store unavailable: {}", ec.message());
        }
        if (!settings.extra_ca_file.empty()) {
            tls.load_verify_file(settings.extra_ca_file, ec);
            if (ec) {
                throw std::runtime_error("cannot load CA file " + settings.extra_ca_file + ": " +
                                         ec.message());
            }
        }
        tls.set_verify_mode(ssl::verify_peer);
    }

    net::io_context& io;
    OutboundPolicy policy;
    ClientSettings settings;
    ssl::context tls{ssl::context::tls_client};
    ConnectionPool pool;
};

namespace {

/// One call in flight. Every member is used on `strand` only; `finish` runs once.
class Operation : public std::enable_shared_from_this<Operation> {
public:
    Operation(std::shared_ptr<detail::ClientCore> owner,
              engine::OutboundRequest outbound_request,
              engine::OutboundDone on_done,
              engine::OutboundChunkHandler chunk_handler,
              SteadyClock::time_point call_deadline,
              std::chrono::milliseconds call_budget)
        : client(std::move(owner)),
          strand(net::make_strand(client->io)),
          total_timer(strand),
          phase_timer(strand),
          resolver(strand),
          request(std::move(outbound_request)),
          done(std::move(on_done)),
          on_chunk(std::move(chunk_handler)),
          deadline(call_deadline),
          budget(call_budget),
          started(SteadyClock::now()) {}

    /// Starts the timer of the whole call (time left before the execution deadline included).
    void arm_total() {
        if (deadline == SteadyClock::time_point::max()) {
            return;
        }
        total_timer.expires_at(deadline);
        total_timer.async_wait([weak = weak_from_this()](const error_code& ec) {
            if (auto self = weak.lock(); self && !ec) {
                self->fail(OutboundErrorKind::kTimeout,
                           "Request to " + self->host + " timed out after " + millis(self->budget));
            }
        });
    }

    /// Starts a phase timer (connect, handshake) that fails the call with `kind` when it fires.
    void arm_phase(std::chrono::milliseconds limit, OutboundErrorKind kind, std::string message) {
        const auto generation = ++phase_generation;
        phase_timer.expires_after(limit);
        phase_timer.async_wait([weak = weak_from_this(), generation, kind,
                                message = std::move(message)](const error_code& ec) {
            if (auto self = weak.lock(); self && !ec && self->phase_generation == generation) {
                self->fail(kind, message);
            }
        });
    }

    void disarm_phase() {
        ++phase_generation;
        phase_timer.cancel();
    }

    void fail(OutboundErrorKind kind, std::string message) {
        finish(OutboundError{kind, std::move(message)});
    }

    /// Delivers the result once and stops everything still pending; the coroutine notices
    /// `finished` when it resumes. The connection is only closed here, never destroyed, since
    /// the coroutine may still hold references into it.
    void finish(OutboundResult result) {
        if (finished) {
            return;
        }
        finished = true;
        total_timer.cancel();
        disarm_phase();
        resolver.cancel();
        if (connection) {
            connection->close();
        }
        if (const auto* error = std::get_if<OutboundError>(&result)) {
            spdlog::debug("outbound {} {} failed ({}): {}", request.method, host,
                          engine::to_string(error->kind), error->message);
        } else {
            spdlog::debug(
                "outbound {} {} -> {} in {}ms", request.method, host,
                std::get<OutboundResponse>(result).status,
                std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started)
                    .count());
        }
        auto callback = std::move(done);
        done = nullptr;
        on_chunk = nullptr;
        try {
            callback(std::move(result));
        } catch (const std::exception& e) {
            // An exception here would escape into io_context::run() and stop a server thread.
            spdlog::error("outbound {} {}: completion handler threw: {}", request.method, host,
                          e.what());
        }
    }

    std::shared_ptr<detail::ClientCore> client;
    Strand strand;
    net::steady_timer total_timer;
    net::steady_timer phase_timer;
    tcp::resolver resolver;
    std::unique_ptr<Connection> connection;
    engine::OutboundRequest request;
    engine::OutboundDone done;
    engine::OutboundChunkHandler on_chunk;
    SteadyClock::time_point deadline;
    std::chrono::milliseconds budget;
    SteadyClock::time_point started;
    std::string host = "the server";  ///< current hop's host, for messages
    std::uint64_t phase_generation = 0;
    bool finished = false;
};

using OperationPtr = std::shared_ptr<Operation>;

/// Gives the call a connection to one of `addresses`: an idle pooled one, else a new one
/// (TCP, then TLS for https). On failure the call is already finished and false is returned.
net::awaitable<bool> acquire(OperationPtr op,
                             const Destination& destination,
                             const std::vector<IpAddress>& addresses,
                             bool allow_reuse,
                             bool& reused) {
    auto& client = *op->client;
    for (const auto& address : addresses) {
        if (!allow_reuse) {
            break;
        }
        const PoolKey key{destination.origin, address};
        while (auto idle = client.pool.take(key)) {
            if (idle->idle_and_open()) {
                op->connection = std::move(idle);
                reused = true;
                co_return true;
            }
            idle->close();
        }
    }
    reused = false;
    error_code last_error;
    bool connected = false;
    // Connect only to the addresses the policy checked: the resolution is pinned.
    for (const auto& address : addresses) {
        if (op->finished) {
            co_return false;
        }
        op->connection = std::make_unique<Connection>(PoolKey{destination.origin, address},
                                                      tcp::socket(client.io));
        op->arm_phase(client.settings.connect_timeout, OutboundErrorKind::kConnect,
                      "Timed out connecting to " + op->host + " after " +
                          millis(client.settings.connect_timeout));
        const tcp::endpoint endpoint = to_endpoint(address, destination.origin.port);
        auto [ec] = co_await op->connection->socket().async_connect(endpoint, kAsTuple);
        op->disarm_phase();
        if (op->finished) {
            co_return false;
        }
        if (!ec) {
            connected = true;
            break;
        }
        last_error = ec;
        op->connection->close();
    }
    if (!connected) {
        op->fail(OutboundErrorKind::kConnect,
                 "Could not connect to " + op->host + ": " + last_error.message());
        co_return false;
    }
    error_code ignored;
    op->connection->socket().set_option(tcp::no_delay(true), ignored);
    if (destination.origin.scheme != "https") {
        co_return true;
    }

    op->connection->start_tls(client.tls);
    auto& stream = op->connection->tls();
    // SNI carries names only (RFC 6066 § 3), never a literal address.
    if (!destination.literal &&
        !SSL_set_tlsext_host_name(stream.native_handle(), destination.origin.host.c_str())) {
        op->fail(OutboundErrorKind::kTls, "TLS setup for " + op->host + " failed");
        co_return false;
    }
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(ssl::host_name_verification(destination.origin.host));
    op->arm_phase(client.settings.tls_handshake_timeout, OutboundErrorKind::kTls,
                  "TLS handshake with " + op->host + " timed out after " +
                      millis(client.settings.tls_handshake_timeout));
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, kAsTuple);
    op->disarm_phase();
    if (op->finished) {
        co_return false;
    }
    if (ec) {
        op->fail(OutboundErrorKind::kTls,
                 "TLS handshake with " + op->host + " failed: " + describe_tls_failure(stream, ec));
        co_return false;
    }
    co_return true;
}

bhttp::request<bhttp::string_body> build_request(const std::string& method,
                                                 const OutboundHeaders& headers,
                                                 const std::string& body,
                                                 const Destination& destination,
                                                 const std::string& user_agent) {
    bhttp::request<bhttp::string_body> message;
    message.method_string(method);
    message.target(destination.target);
    message.version(11);
    message.set(bhttp::field::host, destination.host_header);
    bool has_user_agent = false;
    for (const auto& [name, value] : headers) {
        if (is_managed_header(name)) {
            continue;
        }
        has_user_agent = has_user_agent || iequals(name, "user-agent");
        message.insert(name, value);
    }
    if (!has_user_agent && !user_agent.empty()) {
        message.set(bhttp::field::user_agent, user_agent);
    }
    if (!body.empty() || is_one_of(method, {"POST", "PUT", "PATCH"})) {
        message.body() = body;
        message.content_length(body.size());
    }
    return message;
}

/// Sends the request on `stream` and reads the response, the body capped while it arrives.
/// The body of a 2xx response goes to on_chunk when the call streams; a redirect's is dropped.
template <class Stream>
net::awaitable<Exchange> exchange(OperationPtr op,
                                  Stream& stream,
                                  bhttp::request<bhttp::string_body>& message,
                                  bool head,
                                  bool may_follow) {
    Exchange result;
    auto& settings = op->client->settings;
    const std::size_t cap = op->request.max_response_bytes;
    auto [write_ec, written] = co_await bhttp::async_write(stream, message, kAsTuple);
    if (op->finished) {
        co_return result;
    }
    if (write_ec) {
        result.stale = true;
        result.error = OutboundError{
            OutboundErrorKind::kProtocol,
            "Connection to " + op->host + " lost while sending: " + write_ec.message()};
        co_return result;
    }

    auto& buffer = op->connection->buffer();
    std::optional<bhttp::response_parser<bhttp::buffer_body>> parser;
    for (;;) {
        parser.emplace();
        parser->header_limit(static_cast<std::uint32_t>(settings.max_header_bytes));
        parser->body_limit(cap);
        parser->skip(head);
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, *parser, kAsTuple);
        if (op->finished) {
            co_return result;
        }
        if (ec == bhttp::error::body_limit) {
            result.error = OutboundError{OutboundErrorKind::kTooLarge,
                                         "Response from " + op->host + " exceeds the limit of " +
                                             std::to_string(cap) + " bytes"};
            co_return result;
        }
        if (ec == bhttp::error::header_limit) {
            result.error = OutboundError{OutboundErrorKind::kTooLarge,
                                         "Response headers from " + op->host + " exceed " +
                                             std::to_string(settings.max_header_bytes) + " bytes"};
            co_return result;
        }
        if (ec) {
            result.stale = !parser->got_some() && buffer.size() == 0;
            result.error = OutboundError{
                OutboundErrorKind::kProtocol,
                (parser->got_some() ? "Invalid response from " : "No response from ") + op->host +
                    ": " + ec.message()};
            co_return result;
        }
        const unsigned status = parser->get().result_int();
        // Interim responses (100 Continue, 103 Early Hints) precede the real one.
        if (status >= 100 && status < 200 && status != 101) {
            continue;
        }
        break;
    }

    auto& response = parser->get();
    result.status = response.result_int();
    result.reason = std::string(response.reason());
    for (const auto& field : response) {
        result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        if (iequals(field.name_string(), "location") && result.location.empty()) {
            result.location = std::string(field.value());
        }
    }
    const bool redirect = may_follow && is_redirect(result.status) && !result.location.empty();
    const bool streaming = op->on_chunk && !redirect && result.status >= 200 && result.status < 300;

    std::array<char, kReadChunk> chunk;
    while (!parser->is_done()) {
        response.body().data = chunk.data();
        response.body().size = chunk.size();
        // read_some: hand over what has arrived instead of waiting to fill the buffer.
        auto [ec, n] = co_await bhttp::async_read_some(stream, buffer, *parser, kAsTuple);
        if (op->finished) {
            co_return result;
        }
        if (ec == bhttp::error::need_buffer) {
            ec = {};
        }
        // A TLS peer may end an EOF-delimited body without close_notify; the body is complete
        // by definition then (https://github.com/boostorg/beast/issues/38).
        if (ec == ssl::error::stream_truncated && parser->need_eof()) {
            parser->put_eof(ec);
        }
        const std::size_t received = chunk.size() - response.body().size;
        if (received > 0 && !redirect) {
            const std::string_view piece(chunk.data(), received);
            if (streaming) {
                op->on_chunk(piece);
                if (op->finished) {
                    co_return result;
                }
            } else {
                result.body.append(piece);
            }
        }
        if (ec == bhttp::error::body_limit) {
            result.error = OutboundError{OutboundErrorKind::kTooLarge,
                                         "Response from " + op->host + " exceeds the limit of " +
                                             std::to_string(cap) + " bytes"};
            co_return result;
        }
        if (ec) {
            result.error = OutboundError{
                OutboundErrorKind::kProtocol,
                "Connection to " + op->host + " lost while reading the response: " + ec.message()};
            co_return result;
        }
    }
    result.reusable = response.keep_alive() && !parser->need_eof() && result.status != 101;
    co_return result;
}

/// One hop: a connection, the exchange, and one retry on a fresh connection when a reused one
/// turns out to be closed by the peer (only for idempotent methods: a POST may have arrived).
net::awaitable<std::optional<Exchange>> perform_hop(OperationPtr op,
                                                    const Destination& destination,
                                                    const std::vector<IpAddress>& addresses,
                                                    const std::string& method,
                                                    const OutboundHeaders& headers,
                                                    const std::string& body,
                                                    bool may_follow) {
    auto& client = *op->client;
    auto message = build_request(method, headers, body, destination, client.settings.user_agent);
    const bool head = iequals(method, "HEAD");
    for (int attempt = 0;; ++attempt) {
        bool reused = false;
        if (!co_await acquire(op, destination, addresses, attempt == 0, reused)) {
            co_return std::nullopt;
        }
        // Not a conditional expression: GCC 12 mishandles co_await inside `?:`.
        Exchange result;
        if (op->connection->is_tls()) {
            result = co_await exchange(op, op->connection->tls(), message, head, may_follow);
        } else {
            result = co_await exchange(op, op->connection->plain(), message, head, may_follow);
        }
        if (op->finished) {
            co_return std::nullopt;
        }
        if (result.error) {
            op->connection->close();
            op->connection.reset();
            if (result.stale && reused && attempt == 0 && is_idempotent(method)) {
                continue;
            }
            op->fail(result.error->kind, std::move(result.error->message));
            co_return std::nullopt;
        }
        if (result.reusable) {
            client.pool.put(std::move(op->connection));
        } else {
            op->connection->close();
            op->connection.reset();
        }
        co_return result;
    }
}

/// Resolves the host and checks every address; the call is finished when this returns nullopt.
net::awaitable<std::optional<std::vector<IpAddress>>> resolve(OperationPtr op,
                                                              const Destination& destination,
                                                              HostVerdict verdict) {
    std::vector<IpAddress> addresses;
    if (destination.literal) {
        addresses.push_back(*destination.literal);
        co_return addresses;
    }
    const std::string service = std::to_string(destination.origin.port);
    auto [ec, results] =
        co_await op->resolver.async_resolve(destination.origin.host, service, kAsTuple);
    if (op->finished) {
        co_return std::nullopt;
    }
    if (ec || results.empty()) {
        op->fail(OutboundErrorKind::kDns, "Could not resolve host " + op->host);
        co_return std::nullopt;
    }
    for (const auto& entry : results) {
        const IpAddress address = from_asio(entry.endpoint().address());
        // Every address must pass: a name that also points inside the network is refused.
        if (verdict == HostVerdict::kCheckAddresses) {
            if (auto reason = op->client->policy.refuse_address(destination, address)) {
                op->fail(OutboundErrorKind::kPolicy, std::move(*reason));
                co_return std::nullopt;
            }
        }
        if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
            addresses.push_back(address);
        }
    }
    co_return addresses;
}

net::awaitable<void> run(OperationPtr op) {
    if (op->finished) {  // cancelled (or out of time) before it started
        co_return;
    }
    const auto& request = op->request;
    std::string url = request.url;
    std::string method = request.method;
    std::string body = request.body;
    OutboundHeaders headers = request.headers;
    if (!is_token(method)) {
        op->fail(OutboundErrorKind::kProtocol, "Invalid HTTP method");
        co_return;
    }
    for (const auto& [name, value] : headers) {
        if (!is_token(name) || !is_safe_value(value)) {
            op->fail(OutboundErrorKind::kProtocol,
                     "Invalid request header '" + (is_token(name) ? name : std::string("?")) + "'");
            co_return;
        }
    }

    for (int redirects = 0;; ++redirects) {
        if (op->finished) {
            co_return;
        }
        std::string error;
        auto destination = parse_destination(url, error);
        if (!destination) {
            op->fail(OutboundErrorKind::kPolicy,
                     redirects > 0 ? "Redirect refused: " + error : std::move(error));
            co_return;
        }
        destination = op->client->policy.rewrite(std::move(*destination));
        op->host = destination->origin.host;
        const HostDecision decision = op->client->policy.check_host(*destination);
        if (decision.verdict == HostVerdict::kRefused) {
            op->fail(OutboundErrorKind::kPolicy, decision.reason);
            co_return;
        }
        auto addresses = co_await resolve(op, *destination, decision.verdict);
        if (!addresses) {
            co_return;
        }
        auto hop = co_await perform_hop(op, *destination, *addresses, method, headers, body,
                                        request.follow_redirects);
        if (!hop) {
            co_return;
        }
        if (!request.follow_redirects || !is_redirect(hop->status) || hop->location.empty()) {
            OutboundResponse response;
            response.status = hop->status;
            response.reason = std::move(hop->reason);
            response.headers = std::move(hop->headers);
            response.body = std::move(hop->body);
            response.url = std::move(url);
            response.redirects = redirects;
            op->finish(std::move(response));
            co_return;
        }

        if (redirects >= std::max(0, request.max_redirects)) {
            op->fail(OutboundErrorKind::kProtocol,
                     "Too many redirects (more than " +
                         std::to_string(std::max(0, request.max_redirects)) + ")");
            co_return;
        }
        auto next = resolve_location(url, hop->location);
        if (!next) {
            op->fail(OutboundErrorKind::kProtocol, "Invalid redirect location from " + op->host);
            co_return;
        }
        // Method rewriting as browsers do (Fetch § 4.4): 303 → GET; 301/302 turn POST into GET.
        const bool to_get = (hop->status == 303 && !iequals(method, "HEAD")) ||
                            ((hop->status == 301 || hop->status == 302) && iequals(method, "POST"));
        if (to_get) {
            method = "GET";
            body.clear();
            std::erase_if(headers, [](const auto& header) { return is_body_header(header.first); });
        }
        // Credentials stay with the origin they were meant for (nodes.md § 0.2).
        std::string next_error;
        const auto next_destination = parse_destination(*next, next_error);
        if (!next_destination || !(next_destination->origin == destination->origin)) {
            std::erase_if(headers,
                          [](const auto& header) { return is_credential_header(header.first); });
        }
        url = std::move(*next);
    }
}

}  // namespace

BeastHttpClient::BeastHttpClient(net::io_context& io,
                                 OutboundPolicy policy,
                                 ClientSettings settings)
    : core_(std::make_shared<detail::ClientCore>(io, std::move(policy), std::move(settings))) {}

BeastHttpClient::~BeastHttpClient() { core_->pool.clear(); }

void BeastHttpClient::send(engine::OutboundRequest request,
                           engine::ExecutionContext& ctx,
                           engine::OutboundDone done,
                           engine::OutboundChunkHandler on_chunk) {
    const auto now = SteadyClock::now();
    auto deadline = ctx.deadline();
    if (request.timeout.count() > 0 && (deadline - now) > request.timeout) {
        deadline = now + request.timeout;
    }
    const auto budget =
        deadline == SteadyClock::time_point::max()
            ? std::chrono::milliseconds{0}
            : std::max(std::chrono::milliseconds{0},
                       std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    auto op = std::make_shared<Operation>(core_, std::move(request), std::move(done),
                                          std::move(on_chunk), deadline, budget);
    // The hook may outlive the call (hooks are never removed), so it holds the call weakly.
    ctx.on_cancel([weak = std::weak_ptr<Operation>(op)] {
        if (auto op = weak.lock()) {
            net::post(op->strand, [op] {
                op->fail(OutboundErrorKind::kCancelled,
                         "Request to " + op->host + " was cancelled");
            });
        }
    });
    net::post(op->strand, [op] { op->arm_total(); });
    net::co_spawn(op->strand, run(op), [op](std::exception_ptr error) {
        if (!error) {
            return;
        }
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            spdlog::error("outbound {} {}: unexpected failure: {}", op->request.method, op->host,
                          e.what());
        }
        op->fail(OutboundErrorKind::kProtocol, "Request to " + op->host + " failed unexpectedly");
    });
}

std::size_t BeastHttpClient::idle_connections() const { return core_->pool.idle_count(); }

void BeastHttpClient::close_idle() { core_->pool.clear(); }

const OutboundPolicy& BeastHttpClient::policy() const { return core_->policy; }

}  // namespace clara::client
