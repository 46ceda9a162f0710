// `agent-executor` / `agent` (nodes.md § 18): the remote Clara assistant first (Stage A), then
// a local chat loop that may call MCP tools through the Clara MCP proxy (Stage B).
#include "engine/execution_context.hpp"
#include "engine/js_value.hpp"
#include "nodes/llm/chat_call.hpp"
#include "nodes/llm/mcp_tools.hpp"
#include "nodes/llm/model_nodes.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "util/json_text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

namespace clara::nodes::llm {
namespace json = boost::json;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

constexpr std::string_view kPrefix = "Agent execution failed: ";
constexpr int kMaxIterationsCap = 50;  // bounds a workflow's maxToolCalls

constexpr std::string_view kSystemWithTools =
    "You are an autonomous AI agent. Use the available tools whenever they help you complete "
    "the task. When the task is complete, give a clear and complete final answer without "
    "calling any more tools.";
constexpr std::string_view kSystemWithoutTools =
    "You are an autonomous AI agent. Complete the task and give a clear and complete final "
    "answer.";

struct AgentConfig {
    NodeServicesPtr services;
    AgentProvider provider;
    json::object data;  ///< the node's data (fallback inputs, Stage A configuration)
    std::vector<std::string> enabled_servers;
    double temperature = 0.7;
    std::int64_t max_tokens = 4000;
    int max_iterations = 10;
    CallLabels labels;
};

/// The JS `a || b` of the original: the input when truthy, else the data field, else null.
json::value input_or_data(const NodeRun& run, const json::object& data, std::string_view key) {
    if (const auto* input = run.inputs().get(key); input && engine::js_truthy(*input)) {
        return *input;
    }
    if (const auto* field = data.if_contains(key); field && engine::js_truthy(*field)) {
        return *field;
    }
    return nullptr;
}

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isspace(c) != 0; });
}

std::string status_line(const engine::OutboundResponse& response) {
    std::string text = std::to_string(response.status);
    const std::string reason =
        response.reason.empty() ? std::string(standard_status_text(response.status))
                                : response.reason;
    return reason.empty() ? text : text + " " + reason;
}

/// Answer of a service call that may fail softly: the JSON body, or why there is none.
struct ServiceAnswer {
    std::optional<json::value> body;
    std::string problem;
    unsigned status = 0;  ///< the HTTP status of a non-2xx answer (0: no answer or 2xx)
    std::string status_line;
};

/// One agent run: its conversation, tools and log, shared by the calls in flight.
class AgentSession : public std::enable_shared_from_this<AgentSession> {
public:
    AgentSession(std::shared_ptr<const AgentConfig> config, NodeRun& run)
        : config_(std::move(config)), run_(run), settings_(config_->services->settings) {}

    void start() {
        instructions_ = engine::to_text(input_or_data(run_, config_->data, "instructions"));
        if (is_blank(instructions_)) {
            throw NodeFailure("Agent Executor requires instructions");
        }
        const json::value context = input_or_data(run_, config_->data, "context");
        context_ = context.is_null() ? std::string() : engine::to_text(context);
        attachments_ = input_or_data(run_, config_->data, "attachments");
        if (attachments_.is_null()) {
            attachments_ = json::array{};
        }
        if (settings_.clara_assistant_enabled) {
            stage_a();
        } else {
            stage_b();
        }
    }

private:
    // Stage A: the remote agent service.

    void stage_a() {
        const auto& data = config_->data;
        auto field = [&](std::string_view key) {
            const auto* value = data.if_contains(key);
            return value ? *value : json::value(nullptr);
        };
        json::value text_model = field("textModel");
        if (text_model.is_null()) {
            text_model = "gpt-4o-mini";
        }
        json::object config{{"provider", field("provider")},
                            {"textModel", text_model},
                            {"visionModel", field("visionModel")},
                            {"codeModel", field("codeModel")},
                            {"enabledMCPServers", enabled_servers_json()}};
        if (config["visionModel"].is_null()) {
            config["visionModel"] = text_model;
        }
        if (config["codeModel"].is_null()) {
            config["codeModel"] = text_model;
        }
        json::object body{{"instructions", instructions_},
                          {"context", context_},
                          {"attachments", attachments_},
                          {"config", std::move(config)}};
        const std::string url = trim_base_url(settings_.clara_assistant_url) + "/api/execute-agent";
        send_json("POST", url, body, [self = shared_from_this()](ServiceAnswer answer) {
            if (!answer.body || !answer.body->is_object()) {
                self->warn("Clara assistant unavailable (" +
                           (answer.body ? std::string("answer is not a JSON object")
                                        : answer.problem) +
                           "); running the local agent loop");
                self->stage_b();
                return;
            }
            self->finish_stage_a(answer.body->get_object());
        });
    }

    json::array enabled_servers_json() const {
        json::array names;
        for (const auto& name : config_->enabled_servers) {
            names.emplace_back(name);
        }
        return names;
    }

    void finish_stage_a(const json::object& answer) {
        auto truthy = [&](std::string_view key) -> const json::value* {
            const auto* value = answer.if_contains(key);
            return value && engine::js_truthy(*value) ? value : nullptr;
        };
        json::value result = "";
        if (const auto* output = truthy("output")) {
            result = *output;
        } else if (const auto* value = truthy("result")) {
            result = *value;
        }
        const auto* tool_results = truthy("toolResults");
        const auto* log = truthy("log");
        const auto* success = answer.if_contains("success");
        const auto* metadata = truthy("metadata");
        run_.succeed(json::object{
            {"result", std::move(result)},
            {"toolResults", tool_results ? *tool_results : json::value(json::array{})},
            {"executionLog", log ? *log : json::value("")},
            {"success", !(success && success->is_bool() && !success->get_bool())},
            {"metadata", metadata ? *metadata : json::value(json::object{})}});
    }

    // Stage B: the local loop.

    void stage_b() {
        if (config_->enabled_servers.empty()) {
            begin_chat();
            return;
        }
        if (!settings_.agent_tools_enabled) {
            warn("MCP tools are disabled (AGENT_TOOLS_ENABLED is not true); the agent runs "
                 "without tools");
            begin_chat();
            return;
        }
        const auto& allowed = settings_.agent_allowed_mcp_servers;
        for (const auto& server : config_->enabled_servers) {
            if (std::find(allowed.begin(), allowed.end(), server) == allowed.end()) {
                warn("MCP server '" + server +
                     "' is not in AGENT_ALLOWED_MCP_SERVERS; its tools are left out");
            } else {
                wanted_servers_.push_back(server);
            }
        }
        if (wanted_servers_.empty()) {
            begin_chat();
            return;
        }
        send_json("GET", mcp_url("/api/servers"), nullptr,
                  [self = shared_from_this()](ServiceAnswer answer) {
                      if (!answer.body) {
                          self->warn("MCP proxy unavailable (" + answer.problem +
                                     "); the agent runs without tools");
                          self->begin_chat();
                          return;
                      }
                      self->servers_ = running_servers(*answer.body, self->wanted_servers_);
                      for (const auto& server : self->wanted_servers_) {
                          if (std::find(self->servers_.begin(), self->servers_.end(), server) ==
                              self->servers_.end()) {
                              self->warn("MCP server '" + server + "' is not running");
                          }
                      }
                      self->discover(0);
                  });
    }

    void discover(std::size_t index) {
        if (index >= servers_.size()) {
            begin_chat();
            return;
        }
        const std::string& server = servers_[index];
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        json::object body{{"name", "tools/list"},
                          {"arguments", json::object{}},
                          {"server", server},
                          {"callId", "discover_" + server + "_" + std::to_string(now)}};
        send_json("POST", mcp_url("/api/tools/execute"), body,
                  [self = shared_from_this(), index, server](ServiceAnswer answer) {
                      if (!answer.body) {
                          self->warn("Tool discovery for MCP server '" + server +
                                     "' failed: " + answer.problem);
                      } else {
                          for (const auto& tool : listed_tools(*answer.body)) {
                              if (!self->tools_.add(server, tool)) {
                                  self->warn("Tool '" + engine::to_text(tool.at("name")) +
                                             "' of MCP server '" + server +
                                             "' has an unsupported input schema; left out");
                              }
                          }
                      }
                      self->discover(index + 1);
                  });
    }

    void begin_chat() {
        const bool with_tools = !tools_.empty();
        request_.model = config_->provider.model;
        request_.temperature = config_->temperature;
        request_.max_tokens = config_->max_tokens;
        request_.tools = tools_.specs();
        request_.messages.push_back(
            ChatMessage::text("system", std::string(with_tools ? kSystemWithTools
                                                               : kSystemWithoutTools)));
        std::string user = "Instructions: " + instructions_ + "\n\n";
        if (!context_.empty()) {
            user += "Context: " + context_;
        }
        request_.messages.push_back(ChatMessage::text("user", std::move(user)));
        if (with_tools) {
            run_.context().info(config_->labels.node_id,
                                "Agent offers " + std::to_string(tools_.tools().size()) +
                                    " MCP tool(s) to the model");
        }
        chat_step();
    }

    void chat_step() {
        if (iterations_ >= config_->max_iterations) {
            finish_incomplete();
            return;
        }
        ++iterations_;
        log_lines_.push_back("[Iteration " + std::to_string(iterations_) + "]");
        send_chat(run_, *config_->services, config_->provider.route, request_, config_->labels,
                  [self = shared_from_this()](ChatOutcome outcome) {
                      self->on_reply(std::move(outcome));
                  });
    }

    void on_reply(ChatOutcome outcome) {
        if (!outcome.reply) {
            throw status_failure(outcome, config_->provider.route, config_->labels);
        }
        reply_ = std::move(*outcome.reply);
        if (!reply_.has_message) {
            throw NodeFailure(std::string(kPrefix) + "No message in LLM response" +
                                  provider_suffix(config_->provider.route),
                              engine::FailureKind::kUpstream);
        }
        if (reply_.counts) {
            usage_.prompt_tokens += reply_.counts->prompt_tokens;
            usage_.completion_tokens += reply_.counts->completion_tokens;
            usage_.total_tokens += reply_.counts->total_tokens;
            usage_reported_ = true;
        }
        if (reply_.model) {
            model_ = *reply_.model;
        }
        request_.messages.push_back(reply_.assistant_message());
        // Without offered tools there is nothing to call: the first answer is the final one.
        if (reply_.tool_calls.empty() || tools_.empty()) {
            finish_success();
            return;
        }
        run_tool_call(0);
    }

    void run_tool_call(std::size_t index) {
        if (index >= reply_.tool_calls.size()) {
            chat_step();
            return;
        }
        const ToolCall& call = reply_.tool_calls[index];
        log_lines_.push_back("Tool: " + call.name);
        json::value arguments = json::object{};
        if (!call.arguments_text.empty()) {
            boost::system::error_code ec;
            auto parsed = json::parse(call.arguments_text, ec);
            if (!ec && parsed.is_object()) {
                arguments = std::move(parsed);
            } else {
                warn("Arguments of tool call '" + call.name + "' are not a JSON object; using {}");
            }
        }
        const McpTool* tool = tools_.find(call.name);
        if (tool == nullptr) {
            tool_failed(index, arguments, "Unknown tool '" + call.name + "'");
            return;
        }
        json::object body{{"name", tool->tool},
                          {"arguments", arguments},
                          {"server", tool->server},
                          {"callId", call.id}};
        send_json("POST", mcp_url("/api/tools/execute"), body,
                  [self = shared_from_this(), index, arguments](ServiceAnswer answer) {
                      if (!answer.body) {
                          self->tool_failed(index, arguments,
                                            answer.status != 0
                                                ? "MCP tool execution failed: " +
                                                      answer.status_line
                                                : answer.problem);
                          return;
                      }
                      self->tool_answered(index, arguments, tool_result_of(*answer.body));
                  });
    }

    void tool_answered(std::size_t index, const json::value& arguments, json::value result) {
        const ToolCall& call = reply_.tool_calls[index];
        std::string text = tool_result_text(result);
        log_lines_.push_back("Result: " + shorten(text, 100));
        tool_results_.push_back(json::object{
            {"tool", call.name}, {"arguments", arguments}, {"result", std::move(result)}});
        append_tool_message(call, std::move(text));
        run_tool_call(index + 1);
    }

    void tool_failed(std::size_t index, const json::value& arguments, const std::string& error) {
        const ToolCall& call = reply_.tool_calls[index];
        warn("Tool call '" + call.name + "' failed: " + error);
        log_lines_.push_back("Error: " + shorten(error, 100));
        tool_results_.push_back(
            json::object{{"tool", call.name}, {"arguments", arguments}, {"error", error}});
        append_tool_message(call, "Error executing tool: " + error);
        run_tool_call(index + 1);
    }

    void append_tool_message(const ToolCall& call, std::string text) {
        ChatMessage message = ChatMessage::text("tool", std::move(text));
        message.tool_call_id = call.id;
        message.tool_name = call.name;
        request_.messages.push_back(std::move(message));
    }

    json::object metadata() const {
        return json::object{
            {"model", model_.empty() ? config_->provider.model : model_},
            {"usage", usage_reported_ ? json::value(usage_object(usage_))
                                      : json::value(json::object{})},
            {"iterations", iterations_},
            {"fallback", true},
            {"mcpEnabled", !tools_.empty()}};
    }

    std::string execution_log() const {
        std::string text;
        for (const auto& line : log_lines_) {
            text += (text.empty() ? "" : "\n") + line;
        }
        return text;
    }

    void finish_success() {
        log_lines_.push_back("Completed after " + std::to_string(iterations_) +
                             " iteration(s)");
        run_.succeed(json::object{{"result", reply_.text},
                                  {"toolResults", std::move(tool_results_)},
                                  {"executionLog", execution_log()},
                                  {"success", true},
                                  {"metadata", metadata()}});
    }

    void finish_incomplete() {
        log_lines_.push_back("Max iterations (" + std::to_string(config_->max_iterations) +
                             ") reached");
        warn("Agent stopped after " + std::to_string(iterations_) +
             " iteration(s): max iterations reached");
        auto meta = metadata();
        meta["warning"] = "Max iterations reached";
        run_.succeed(json::object{{"result", "Task incomplete - max iterations reached"},
                                  {"toolResults", std::move(tool_results_)},
                                  {"executionLog", execution_log()},
                                  {"success", false},
                                  {"metadata", std::move(meta)}});
    }

    // Service calls (Clara assistant, MCP proxy).

    std::string mcp_url(std::string_view path) const {
        return trim_base_url(settings_.mcp_proxy_url) + std::string(path);
    }

    /// A JSON call whose failure the agent survives; only a cancelled execution fails the run.
    void send_json(std::string method, std::string url, const json::value& body,
                   std::function<void(ServiceAnswer)> then) {
        engine::OutboundRequest request;
        request.method = std::move(method);
        request.url = std::move(url);
        request.headers = {{"Accept", "application/json"}};
        if (!body.is_null()) {
            request.headers.emplace_back("Content-Type", "application/json");
            request.body = util::to_json_text(body);
        }
        request.timeout = settings_.llm_timeout;
        request.max_response_bytes = settings_.node_max_response_bytes;
        send_outbound(run_, *config_->services, std::move(request),
                      [self = shared_from_this(), then = std::move(then)](
                          engine::OutboundResult result) {
                          then(self->service_answer(std::move(result)));
                      });
    }

    ServiceAnswer service_answer(engine::OutboundResult result) {
        ServiceAnswer answer;
        if (auto* error = std::get_if<engine::OutboundError>(&result)) {
            if (error->kind == engine::OutboundErrorKind::kCancelled ||
                run_.context().cancelled()) {
                throw transport_failure(*error, kPrefix);
            }
            answer.problem = error->message;
            return answer;
        }
        auto& response = std::get<engine::OutboundResponse>(result);
        if (!is_success(response.status)) {
            answer.status = response.status;
            answer.status_line = status_line(response);
            answer.problem = "HTTP " + answer.status_line;
            if (!response.body.empty()) {
                run_.context().warn(config_->labels.node_id,
                                    "Service answered " + answer.status_line + ": " +
                                        shorten(response.body, 500));
            }
            return answer;
        }
        boost::system::error_code ec;
        auto body = json::parse(response.body, ec);
        if (ec) {
            answer.problem = "the answer is not valid JSON";
            return answer;
        }
        answer.body = std::move(body);
        return answer;
    }

    void warn(const std::string& message) { run_.context().warn(config_->labels.node_id, message); }

    std::shared_ptr<const AgentConfig> config_;
    NodeRun& run_;
    const config::ServiceSettings& settings_;

    std::string instructions_;
    std::string context_;
    json::value attachments_;

    std::vector<std::string> wanted_servers_;
    std::vector<std::string> servers_;
    McpToolTable tools_;

    ChatRequest request_;
    ChatReply reply_;
    int iterations_ = 0;
    TokenCounts usage_;
    bool usage_reported_ = false;
    std::string model_;
    json::array tool_results_;
    std::vector<std::string> log_lines_;
};

class AgentNode final : public engine::NodeInstance {
public:
    explicit AgentNode(std::shared_ptr<const AgentConfig> config) : config_(std::move(config)) {}

    void start(NodeRun& run) const override {
        run_guarded(run, [&] { std::make_shared<AgentSession>(config_, run)->start(); });
    }

private:
    std::shared_ptr<const AgentConfig> config_;
};

std::vector<std::string> string_list(const json::object& data, std::string_view key) {
    std::vector<std::string> names;
    const auto* value = data.if_contains(key);
    if (value == nullptr || !value->is_array()) {
        return names;
    }
    for (const auto& entry : value->get_array()) {
        if (entry.is_string() && !entry.get_string().empty()) {
            names.emplace_back(entry.get_string());
        }
    }
    return names;
}

}  // namespace

engine::NodeType agent_node_type(const NodeServicesPtr& services) {
    return engine::NodeType{
        .type = "agent-executor",
        .aliases = {"agent"},
        .role = engine::NodeRole::kProcessing,
        .inputs = {{"instructions", "Instructions"},
                   {"context", "Context"},
                   {"attachments", "Attachments"}},
        .outputs = {{"result", "Result"},
                    {"toolResults", "Tool Results"},
                    {"executionLog", "Execution Log"},
                    {"success", "Success"},
                    {"metadata", "Metadata"}},
        .primary_output = "result",
        .create = [services](const engine::NodeDecl& decl, engine::Diagnostics& diag)
            -> std::unique_ptr<engine::NodeInstance> {
            auto config = std::make_shared<AgentConfig>();
            config->services = services;
            config->provider = resolve_agent_provider(decl.data, services->settings);
            warn_if_refused(*services, decl, config->provider.route.base_url, diag);
            config->data = decl.data;
            config->enabled_servers = string_list(decl.data, "enabledMCPServers");
            const auto options = read_model_options(decl.data, "textModel", "gpt-4o-mini", 4000);
            config->temperature = options.temperature;
            config->max_tokens = options.max_tokens;
            if (const auto calls = number_field(decl.data, "maxToolCalls")) {
                config->max_iterations =
                    static_cast<int>(std::clamp(*calls, 1.0, double(kMaxIterationsCap)));
            }
            config->labels = {decl.id, std::string(kPrefix), "LLM API error"};
            return std::make_unique<AgentNode>(std::move(config));
        },
    };
}

}  // namespace clara::nodes::llm
