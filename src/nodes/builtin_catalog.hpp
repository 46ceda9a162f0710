#pragma once

#include "engine/node.hpp"

namespace clara::nodes {

/// The node types this runner executes, as one explicit list (builtin_catalog.cpp).
const engine::NodeCatalog& builtin_catalog();

}  // namespace clara::nodes
