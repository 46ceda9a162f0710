#include "nodes/outbound_call.hpp"

#include "engine/execution_context.hpp"

#include <algorithm>
#include <cctype>
#include <exception>

namespace clara::nodes {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

}  // namespace

void run_guarded(engine::NodeRun& run, const std::function<void()>& step) {
    try {
        step();
    } catch (const engine::NodeFailure& failure) {
        run.fail(failure.what(), failure.kind());
    } catch (const std::exception& e) {
        run.fail(std::string("unexpected error: ") + e.what(), engine::FailureKind::kNode);
    }
}

void send_outbound(engine::NodeRun& run, const NodeServices& services,
                   engine::OutboundRequest request, OutboundContinuation then) {
    if (!services.http) {
        throw engine::NodeFailure("outbound HTTP is not available in this mode");
    }
    // The run lives as long as the execution; holding the execution keeps both alive.
    services.http->send(
        std::move(request), run.context(),
        [run = &run, alive = run.keep_alive(), then = std::move(then)](
            engine::OutboundResult result) mutable {
            run_guarded(*run, [&] { then(std::move(result)); });
        });
}

void wait_then(engine::NodeRun& run, const NodeServices& services,
               std::chrono::milliseconds delay, std::function<void(bool elapsed)> then) {
    if (!services.timer) {
        throw engine::NodeFailure("timers are not available in this mode");
    }
    services.timer->wait(delay, run.context(),
                         [run = &run, alive = run.keep_alive(), then = std::move(then)](
                             bool elapsed) { run_guarded(*run, [&] { then(elapsed); }); });
}

engine::NodeFailure transport_failure(const engine::OutboundError& error,
                                      std::string_view prefix) {
    // A destination the outbound policy refuses is the workflow's configuration, not a
    // provider failure.
    const auto kind = error.kind == engine::OutboundErrorKind::kTimeout
                          ? engine::FailureKind::kUpstreamTimeout
                      : error.kind == engine::OutboundErrorKind::kPolicy
                          ? engine::FailureKind::kNode
                          : engine::FailureKind::kUpstream;
    return engine::NodeFailure(std::string(prefix) + error.message, kind);
}

engine::OutboundResponse take_response(engine::OutboundResult& result, std::string_view prefix) {
    if (auto* error = std::get_if<engine::OutboundError>(&result)) {
        throw transport_failure(*error, prefix);
    }
    return std::move(std::get<engine::OutboundResponse>(result));
}

std::string header_value(const engine::OutboundHeaders& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) {
            return value;
        }
    }
    return {};
}

void warn_if_refused(const NodeServices& services, const engine::NodeDecl& node,
                     std::string_view url, engine::Diagnostics& diag) {
    if (!services.precheck_url || url.empty()) {
        return;
    }
    if (const auto reason = services.precheck_url(url)) {
        // The compiler puts the node's id after the reason code.
        diag.warnings.push_back("outbound_url_refused: " + std::string(url) +
                                " will be refused by the outbound policy (" +
                                *reason + "); allow it with OUTBOUND_ALLOWLIST or configure the "
                                "service URL");
    }
}

std::string trim_base_url(std::string_view url) {
    while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front()))) {
        url.remove_prefix(1);
    }
    while (!url.empty() &&
           (url.back() == '/' || std::isspace(static_cast<unsigned char>(url.back())))) {
        url.remove_suffix(1);
    }
    return std::string(url);
}

std::string shorten(std::string_view text, std::size_t limit) {
    if (text.size() <= limit) {
        return std::string(text);
    }
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return std::string(text.substr(0, cut));
}

}  // namespace clara::nodes
