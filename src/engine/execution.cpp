#include "engine/execution.hpp"

#include <boost/json.hpp>

#include <stdexcept>

namespace clara::engine {
namespace json = boost::json;

std::string_view to_string(ExecutionStatus status) {
    switch (status) {
        case ExecutionStatus::kSuccess:
            return "success";
        case ExecutionStatus::kError:
            return "error";
        case ExecutionStatus::kTimeout:
            return "timeout";
    }
    return "error";
}

namespace {

enum class Phase { kPending, kRunning, kDone, kSkipped, kFailed };

/// The value an edge carries from a finished source (workflow-format § 5.4), or nullptr when
/// the edge is dead.
const json::value* edge_value(const IncomingEdge& edge, const CompiledNode& source,
                              const json::value& result) {
    if (!result.is_object() || source.node_type->role == NodeRole::kOutput) {
        return &result;
    }
    const auto& object = result.get_object();
    if (const auto* value = object.if_contains(edge.source_handle)) {
        return value;
    }
    if (edge.source_handle_declared && edge.source_handle != "output") {
        return nullptr;  // a declared handle the node did not emit: inactive branch
    }
    const auto primary = source.node_type->primary_output;
    if (primary.empty()) {
        return object.empty() ? nullptr : &object.begin()->value();
    }
    return object.if_contains(primary);
}

}  // namespace

/// The NodeRun handed to a node: gathered inputs plus the way back to the execution.
class NodeRunImpl final : public NodeRun {
public:
    NodeRunImpl(Execution& execution, std::uint32_t index, const json::value* external)
        : execution_(&execution), index_(index), external_(external) {}

    NodeInputs& mutable_inputs() { return inputs_; }

    // NodeRun
    const NodeInputs& inputs() const override { return inputs_; }
    const json::value* external_value() const override { return external_; }
    ExecutionContext& context() override { return execution_->context_; }
    void succeed(json::value result) override {
        execution_->on_node_finished(index_, std::move(result), {}, FailureKind::kNode);
    }
    void fail(std::string message, FailureKind kind) override {
        execution_->on_node_finished(index_, std::nullopt, std::move(message), kind);
    }
    std::shared_ptr<void> keep_alive() override { return execution_->shared_from_this(); }

private:
    Execution* execution_;
    std::uint32_t index_;
    const json::value* external_;
    NodeInputs inputs_;
};

struct Execution::NodeState {
    Phase phase = Phase::kPending;
    json::value result;
    std::unique_ptr<NodeRunImpl> run;  // lives as long as the execution: a node may finish late
};

Execution::Execution(WorkflowPtr workflow, json::object inputs, const ExecutionLimits& limits,
                     Completion done)
    : workflow_(std::move(workflow)),
      inputs_(std::move(inputs)),
      context_(limits),
      done_(std::move(done)) {
    context_.set_deadline(std::chrono::steady_clock::now() + limits.max_execution_time);
    const auto count = workflow_->nodes.size();
    nodes_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        nodes_.push_back(std::make_unique<NodeState>());
    }
    kahn_position_.resize(count);
    for (std::uint32_t position = 0; position < workflow_->order.size(); ++position) {
        kahn_position_[workflow_->order[position]] = position;
    }
}

Execution::~Execution() = default;

std::shared_ptr<Execution> Execution::start(WorkflowPtr workflow, json::object inputs,
                                            const ExecutionLimits& limits, Completion done) {
    std::shared_ptr<Execution> execution(
        new Execution(std::move(workflow), std::move(inputs), limits, std::move(done)));
    std::unique_lock lock(execution->mutex_);
    execution->pump(lock);
    return execution;
}

void Execution::pump(std::unique_lock<std::mutex>& lock) {
    if (pumping_) {
        return;  // the thread already pumping will see the new state
    }
    pumping_ = true;
    const auto& order = workflow_->order;
    while (!stopped_ && cursor_ < order.size()) {
        const auto index = order[cursor_];
        const auto& node = workflow_->nodes[index];
        bool ready = true;
        for (const auto& edge : node.incoming) {
            const auto phase = nodes_[edge.source]->phase;
            if (phase != Phase::kDone && phase != Phase::kSkipped) {
                ready = false;
                break;
            }
        }
        if (!ready) {
            break;  // a dependency is still running; its completion resumes the pump
        }
        ++cursor_;

        const json::value* external = nullptr;
        if (node.input_field >= 0) {
            const auto& field = workflow_->fields.inputs[node.input_field].field;
            if (const auto* value = inputs_.if_contains(field); value != nullptr && !value->is_null()) {
                external = value;
            }
        }
        auto& state = *nodes_[index];
        state.run = std::make_unique<NodeRunImpl>(*this, index, external);
        auto* run = state.run.get();
        bool any_live = node.incoming.empty();
        for (const auto& edge : node.incoming) {
            const auto& source = *nodes_[edge.source];
            if (source.phase != Phase::kDone) {
                continue;  // skipped source: dead edge
            }
            if (const auto* value = edge_value(edge, workflow_->nodes[edge.source], source.result)) {
                run->mutable_inputs().set(edge.target_key, value);
                any_live = true;
            }
        }
        if (!any_live) {
            state.phase = Phase::kSkipped;
            continue;
        }
        state.phase = Phase::kRunning;
        ++running_;
        lock.unlock();
        try {
            node.instance->start(*run);
        } catch (const std::exception& e) {
            run->fail(std::string("unexpected error: ") + e.what(), FailureKind::kNode);
        }
        lock.lock();
    }
    pumping_ = false;
    if ((stopped_ || cursor_ == order.size()) && running_ == 0) {
        finish_locked(lock);
    }
}

void Execution::on_node_finished(std::uint32_t index, std::optional<json::value> result,
                                 std::string error, FailureKind kind) {
    std::unique_lock lock(mutex_);
    if (finished_) {
        return;  // cancelled meanwhile
    }
    --running_;
    auto& state = *nodes_[index];
    if (!result && std::chrono::steady_clock::now() >= context_.deadline()) {
        // Outbound calls are bounded by the execution's deadline, so a node may fail from it
        // a moment before the deadline's own cancellation arrives: that is the deadline.
        state.phase = Phase::kFailed;
        stopped_ = true;
        cancelled_.emplace(ExecutionStatus::kTimeout,
                           "Workflow execution timeout after " +
                               std::to_string(context_.limits().max_execution_time.count()) + "ms");
        finish_locked(lock);
        lock.unlock();
        context_.cancel();
        return;
    }
    if (result) {
        state.phase = Phase::kDone;
        state.result = std::move(*result);
    } else {
        state.phase = Phase::kFailed;
        stopped_ = true;
        if (!failed_index_ || kahn_position_[index] < kahn_position_[*failed_index_]) {
            failed_index_ = index;
            failure_message_ = std::move(error);
            failure_kind_ = kind;
        }
    }
    pump(lock);
}

void Execution::cancel(ExecutionStatus status, std::string message) {
    std::unique_lock lock(mutex_);
    if (finished_) {
        return;
    }
    stopped_ = true;
    cancelled_.emplace(status, std::move(message));
    finish_locked(lock);
    lock.unlock();
    context_.cancel();  // abort in-flight calls of running nodes
}

void Execution::finish_locked(std::unique_lock<std::mutex>& lock) {
    if (finished_) {
        return;
    }
    finished_ = true;
    auto result = build_result();
    auto done = std::move(done_);
    lock.unlock();
    done(std::move(result));
    lock.lock();
}

ExecutionResult Execution::build_result() {
    ExecutionResult result;
    result.logs = context_.logs();
    result.usage = context_.usage();
    for (const auto index : workflow_->order) {
        const auto phase = nodes_[index]->phase;
        if (phase == Phase::kDone || phase == Phase::kFailed) {
            ++result.nodes_executed;
        } else if (phase == Phase::kSkipped) {
            result.skipped_nodes.push_back(workflow_->nodes[index].id);
        }
    }
    if (cancelled_) {
        result.status = cancelled_->first;
        result.error = cancelled_->second;
        return result;
    }
    if (failed_index_) {
        const auto& node = workflow_->nodes[*failed_index_];
        result.status = ExecutionStatus::kError;
        result.error = "Node '" + (node.name.empty() ? node.type : node.name) +
                       "' failed: " + failure_message_;
        result.failed_node = FailedNode{node.id, node.name, node.type};
        result.failure_kind = failure_kind_;
        return result;
    }
    result.status = ExecutionStatus::kSuccess;
    for (std::size_t f = 0; f < workflow_->fields.outputs.size(); ++f) {
        result.outputs[workflow_->fields.outputs[f].field] = nullptr;
    }
    for (std::uint32_t i = 0; i < workflow_->nodes.size(); ++i) {
        const auto& node = workflow_->nodes[i];
        if (node.output_field >= 0 && nodes_[i]->phase == Phase::kDone) {
            result.outputs[workflow_->fields.outputs[node.output_field].field] =
                std::move(nodes_[i]->result);
        }
    }
    return result;
}

ExecutionResult execute_sync(WorkflowPtr workflow, json::object inputs,
                             const ExecutionLimits& limits) {
    std::optional<ExecutionResult> outcome;
    Execution::start(std::move(workflow), std::move(inputs), limits,
                     [&outcome](ExecutionResult result) { outcome = std::move(result); });
    if (!outcome) {
        throw std::logic_error("the workflow has nodes that do not complete synchronously");
    }
    return std::move(*outcome);
}

}  // namespace clara::engine
