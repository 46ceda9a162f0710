#pragma once

#include "engine/expression/syntax_tree.hpp"

#include <cstddef>
#include <memory>
#include <string_view>

namespace clara::engine::expr {

/// Parses `source` by the grammar of nodes.md § 7.1. Identifiers are resolved here, so unknown
/// names and forbidden members are syntax errors. Nesting of sub-expressions (parentheses,
/// brackets, call arguments, ?: branches) deeper than `max_nesting` is refused before it can
/// exhaust the stack.
/// Throws ExpressionError with the column of the problem.
std::unique_ptr<ExpressionNode> parse_syntax_tree(std::string_view source, std::size_t max_nesting);

}  // namespace clara::engine::expr
