#pragma once

#include "engine/node.hpp"
#include "nodes/node_services.hpp"

#include <memory>

namespace clara::nodes {

/// The node types this runner executes, as one explicit list (builtin_catalog.cpp), with the
/// service nodes bound to `services`.
std::unique_ptr<engine::NodeCatalog> make_builtin_catalog(NodeServicesPtr services);

/// The catalog with default service settings and no outbound client: every type compiles,
/// service nodes fail when run. For validation and tests.
const engine::NodeCatalog& builtin_catalog();

}  // namespace clara::nodes
