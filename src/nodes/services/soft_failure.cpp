#include "nodes/services/soft_failure.hpp"

#include "engine/execution_context.hpp"

namespace clara::nodes {

void report_soft_failure(engine::NodeRun& run,
                         std::string_view node_id,
                         const std::string& message,
                         engine::FailureKind kind) {
    if (run.context().limits().strict_node_errors) {
        throw engine::NodeFailure(message, kind);
    }
    run.context().warn(std::string(node_id), message);
}

engine::FailureKind failure_kind_of(const engine::OutboundError& error) {
    return error.kind == engine::OutboundErrorKind::kTimeout ? engine::FailureKind::kUpstreamTimeout
                                                             : engine::FailureKind::kUpstream;
}

}  // namespace clara::nodes
