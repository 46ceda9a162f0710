#include "nodes/llm/chat_call.hpp"

#include "engine/execution_context.hpp"
#include "nodes/llm/chat_wire.hpp"
#include "nodes/outbound_call.hpp"

#include <boost/json.hpp>

#include <array>
#include <utility>

namespace clara::nodes::llm {

namespace {

engine::NodeFailure upstream(const CallLabels& labels, const ProviderRoute& route,
                             std::string_view what) {
    return engine::NodeFailure(labels.prefix + std::string(what) + provider_suffix(route),
                               engine::FailureKind::kUpstream);
}

}  // namespace

std::string provider_suffix(const ProviderRoute& route) {
    return route.host.empty() ? std::string(" (no provider base URL configured)")
                              : " (provider " + route.host + ")";
}

std::string_view standard_status_text(unsigned status) {
    static constexpr std::array<std::pair<unsigned, std::string_view>, 18> kReasons{{
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {413, "Payload Too Large"},
        {415, "Unsupported Media Type"},
        {422, "Unprocessable Entity"},
        {429, "Too Many Requests"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {529, "Overloaded"},
    }};
    for (const auto& [code, reason] : kReasons) {
        if (code == status) {
            return reason;
        }
    }
    return "";
}

engine::NodeFailure status_failure(const ChatOutcome& outcome, const ProviderRoute& route,
                                   const CallLabels& labels) {
    std::string message;
    if (outcome.status == 401) {
        message = "Authentication failed - API key may be required or invalid";
    } else if (outcome.status == 403) {
        message = "Access forbidden - check API key permissions";
    } else {
        message = labels.api_error + ": " + std::to_string(outcome.status);
        if (!outcome.status_text.empty()) {
            message += " " + outcome.status_text;
        }
    }
    return upstream(labels, route, message);
}

void send_chat(engine::NodeRun& run, const NodeServices& services, const ProviderRoute& route,
               ChatRequest request, const CallLabels& labels, ChatContinuation then) {
    engine::OutboundRequest outbound;
    try {
        outbound = build_chat_request(request, route);
    } catch (const ChatRequestError& e) {
        throw engine::NodeFailure(labels.prefix + e.what());
    }
    outbound.timeout = services.settings.llm_timeout;
    outbound.max_response_bytes = services.settings.node_max_response_bytes;
    run.context().info(labels.node_id, "Calling model '" + request.model + "' at " + route.host +
                                           " (" + std::string(to_string(route.api)) + ")");

    send_outbound(
        run, services, std::move(outbound),
        [&run, route, labels, request = std::move(request),
         then = std::move(then)](engine::OutboundResult result) {
            auto* error = std::get_if<engine::OutboundError>(&result);
            if (error != nullptr) {
                auto failure = transport_failure(*error, labels.prefix);
                std::string message = failure.what();
                if (route.host.empty() || message.find(route.host) == std::string::npos) {
                    message += provider_suffix(route);
                }
                throw engine::NodeFailure(message, failure.kind());
            }
            auto response = std::get<engine::OutboundResponse>(std::move(result));
            ChatOutcome outcome;
            outcome.status = response.status;
            outcome.status_text = response.reason.empty()
                                      ? std::string(standard_status_text(response.status))
                                      : response.reason;
            if (!is_success(response.status)) {
                run.context().warn(labels.node_id,
                                   "Provider " + route.host + " answered " +
                                       std::to_string(response.status) + " " +
                                       outcome.status_text + ": " + shorten(response.body, 500));
                then(std::move(outcome));
                return;
            }
            boost::system::error_code ec;
            auto body = boost::json::parse(response.body, ec);
            if (ec) {
                run.context().warn(labels.node_id, "Provider " + route.host +
                                                       " sent a body that is not JSON: " +
                                                       shorten(response.body, 500));
                throw upstream(labels, route, "the provider's answer is not valid JSON");
            }
            try {
                outcome.reply = parse_chat_reply(route.api, request, body);
            } catch (const ChatReplyError& e) {
                run.context().warn(labels.node_id, "Unexpected answer from provider " +
                                                       route.host + ": " +
                                                       shorten(response.body, 500));
                throw upstream(labels, route,
                               std::string("the provider's answer has an unexpected shape (") +
                                   e.what() + ")");
            }
            if (const auto& counts = outcome.reply->counts) {
                run.context().add_usage(counts->prompt_tokens, counts->completion_tokens,
                                        counts->total_tokens);
            }
            then(std::move(outcome));
        });
}

}  // namespace clara::nodes::llm
