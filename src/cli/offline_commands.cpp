// Commands that work on a workflow file without a server: validate and run.
#include "cli/commands.hpp"

#include "cli/node_runtime.hpp"
#include "config/settings.hpp"
#include "engine/compiler.hpp"
#include "engine/execution.hpp"
#include "nodes/builtin_catalog.hpp"
#include "util/json_text.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <fstream>
#include <future>
#include <thread>
#include <iostream>
#include <sstream>

namespace clara::cli {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

/// Reads a workflow file; a deploy request body (`{"workflow": ...}`) is accepted too.
std::optional<json::value> read_workflow(const std::string& path) {
    std::ifstream file(path);
    if (!file) {
        std::cerr << "cannot open " << path << "\n";
        return std::nullopt;
    }
    std::stringstream buffer;
    buffer << file.rdbuf();
    json::error_code ec;
    auto value = json::parse(buffer.str(), ec);
    if (ec) {
        std::cerr << path << ": not valid JSON: " << ec.message() << "\n";
        return std::nullopt;
    }
    if (value.is_object()) {
        if (const auto* workflow = value.get_object().if_contains("workflow");
            workflow != nullptr && workflow->is_object()) {
            return *workflow;
        }
    }
    return value;
}

void print_diagnostics(const engine::Diagnostics& diag) {
    for (const auto& error : diag.errors) {
        std::cout << "error: " << error << "\n";
    }
    for (const auto& warning : diag.warnings) {
        std::cout << "warning: " << warning << "\n";
    }
}

}  // namespace

int validate(const std::string& path) {
    const auto workflow = read_workflow(path);
    if (!workflow) {
        return 1;
    }
    const auto result = engine::compile_envelope(*workflow, nodes::builtin_catalog(), {});
    print_diagnostics(result.diag);
    if (!result.diag.ok()) {
        std::cout << result.diag.errors.size() << " problem(s); the workflow cannot be deployed\n";
        return 1;
    }
    std::cout << "ok: " << result.workflow->nodes.size() << " nodes, "
              << result.workflow->fields.inputs.size() << " input field(s), "
              << result.workflow->fields.outputs.size() << " output field(s)\n";
    return 0;
}

int run(const std::string& path, const std::map<std::string, std::string>& inputs) {
    const auto workflow = read_workflow(path);
    if (!workflow) {
        return 1;
    }
    std::vector<std::string> problems;
    const auto settings = config::load_settings(config::process_environment(), problems);
    // Service nodes need the event loop for their calls and timers; it runs beside this thread.
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread loop([&io] { io.run(); });
    NodeRuntime runtime;
    const auto finish = [&](int code) {
        runtime.shutdown();
        work.reset();
        io.stop();
        loop.join();
        return code;
    };
    runtime = make_node_runtime(settings, io, problems);
    for (const auto& problem : problems) {
        std::cerr << "configuration error: " << problem << "\n";
    }
    if (!problems.empty()) {
        return finish(1);
    }
    const auto compiled = engine::compile_envelope(*workflow, *runtime.catalog, {});
    if (!compiled.diag.ok()) {
        print_diagnostics(compiled.diag);
        return finish(1);
    }
    engine::ExecutionLimits limits;
    limits.max_input_size = settings.max_input_size;
    limits.strict_node_errors = settings.strict_node_errors;
    limits.max_execution_time = settings.max_execution_time;

    json::object body;
    for (const auto& [name, value] : inputs) {
        body[name] = value;
    }
    std::promise<engine::ExecutionResult> outcome;
    auto future = outcome.get_future();
    const auto execution = engine::Execution::start(
        compiled.workflow, std::move(body), limits,
        [&outcome](engine::ExecutionResult result) { outcome.set_value(std::move(result)); });
    if (future.wait_for(settings.max_execution_time) != std::future_status::ready) {
        execution->cancel(engine::ExecutionStatus::kTimeout,
                          "Workflow execution timeout after " +
                              std::to_string(settings.max_execution_time.count()) + "ms");
    }
    const auto result = future.get();
    for (const auto& entry : result.logs) {
        std::cerr << entry.level << ": " << entry.node_id << ": " << entry.message << "\n";
    }
    if (result.status != engine::ExecutionStatus::kSuccess) {
        std::cerr << "error: " << result.error << "\n";
        return finish(1);
    }
    std::cout << util::to_json_text(result.outputs, 2) << "\n";
    return finish(0);
}

}  // namespace clara::cli
