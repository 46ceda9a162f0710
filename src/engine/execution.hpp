#pragma once

#include "engine/execution_context.hpp"
#include "engine/node.hpp"
#include "engine/workflow.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clara::engine {

enum class ExecutionStatus { kSuccess, kError, kTimeout };

/// "success" | "error" | "timeout", as stored and reported.
std::string_view to_string(ExecutionStatus status);

/// The node whose failure ended an execution.
struct FailedNode {
    std::string id;
    std::string name;
    std::string type;
};

/// What an execution produced (workflow-format § 5.9).
struct ExecutionResult {
    ExecutionStatus status = ExecutionStatus::kSuccess;
    boost::json::object outputs;  ///< one key per output field; null for skipped outputs
    std::string error;            ///< empty on success
    std::optional<FailedNode> failed_node;
    FailureKind failure_kind = FailureKind::kNode;  ///< why failed_node failed
    TokenUsage usage;  ///< tokens reported by model providers, summed
    std::uint32_t nodes_executed = 0;
    std::vector<std::string> skipped_nodes;
    std::vector<ExecutionLogEntry> logs;
};

/// One run of a compiled workflow. Nodes start in Kahn order; a node starts as soon as every
/// node it depends on has finished, so independent nodes that wait on I/O overlap, while
/// results, skipping and error selection are those of a sequential run (workflow-format § 5.2).
class Execution : public std::enable_shared_from_this<Execution> {
public:
    using Completion = std::function<void(ExecutionResult)>;

    /// Starts executing `workflow` with the request body `inputs` (keyed by input field name).
    /// `done` is called exactly once, possibly before start() returns (workflows whose nodes
    /// are all synchronous finish inline), possibly on another thread.
    static std::shared_ptr<Execution> start(WorkflowPtr workflow, boost::json::object inputs,
                                            const ExecutionLimits& limits, Completion done);

    /// Ends the execution now with `status` and `message` (deadline, shutdown): no further node
    /// starts, late node completions are ignored. No effect when it has already finished.
    void cancel(ExecutionStatus status, std::string message);

    ~Execution();

    struct NodeState;  // per-node run state, defined in execution.cpp

private:
    Execution(WorkflowPtr workflow, boost::json::object inputs, const ExecutionLimits& limits,
              Completion done);

    friend class NodeRunImpl;

    void pump(std::unique_lock<std::mutex>& lock);
    void on_node_finished(std::uint32_t index, std::optional<boost::json::value> result,
                          std::string error, FailureKind kind);
    void finish_locked(std::unique_lock<std::mutex>& lock);
    ExecutionResult build_result();

    WorkflowPtr workflow_;
    boost::json::object inputs_;
    ExecutionContext context_;
    Completion done_;

    std::mutex mutex_;
    std::vector<std::unique_ptr<NodeState>> nodes_;
    std::vector<std::uint32_t> kahn_position_;
    std::size_t cursor_ = 0;
    std::size_t running_ = 0;
    bool pumping_ = false;
    bool stopped_ = false;
    bool finished_ = false;
    std::optional<std::uint32_t> failed_index_;
    std::string failure_message_;
    FailureKind failure_kind_ = FailureKind::kNode;
    std::optional<std::pair<ExecutionStatus, std::string>> cancelled_;
};

/// Runs a workflow whose nodes complete inline and returns the result (tests, `run` command).
/// Throws std::logic_error if the execution did not finish synchronously.
ExecutionResult execute_sync(WorkflowPtr workflow, boost::json::object inputs,
                             const ExecutionLimits& limits);

}  // namespace clara::engine
