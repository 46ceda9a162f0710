#pragma once

// Soft failures (workflow-format.md § 5.7): a node that cannot do its work returns a result
// with `success:false` and the error, and the execution log gets a warning; under
// STRICT_NODE_ERRORS the same case fails the execution instead.

#include <string>
#include <string_view>

#include "engine/http_client.hpp"
#include "engine/node.hpp"

namespace clara::nodes {

/// Logs `message` as a warning for `node_id`, or throws NodeFailure(message, kind) when
/// STRICT_NODE_ERRORS is on. The caller then returns its soft-failure result.
void report_soft_failure(engine::NodeRun& run,
                         std::string_view node_id,
                         const std::string& message,
                         engine::FailureKind kind);

/// The kind a transport error has when strict mode turns it into a failure: a timeout is
/// kUpstreamTimeout, anything else kUpstream.
engine::FailureKind failure_kind_of(const engine::OutboundError& error);

}  // namespace clara::nodes
