#pragma once

#include "engine/expression/eval_context.hpp"
#include "engine/expression/syntax_tree.hpp"
#include "engine/expression/value.hpp"

namespace clara::engine::expr {

/// Evaluates `node` with JS semantics. Every evaluated node costs one step of
/// `context.max_steps`. Throws ExpressionError naming the column of the failing node.
Value evaluate_node(const ExpressionNode& node, EvalContext& context);

}  // namespace clara::engine::expr
