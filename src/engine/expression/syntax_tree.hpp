#pragma once

#include "engine/expression/value.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace clara::engine {

/// One node of a parsed expression (opaque in expression.hpp). Immutable after parsing.
struct ExpressionNode {
    enum class Kind : std::uint8_t {
        Literal,      ///< `literal` (numbers, strings, true/false/null/undefined, globals)
        Input,        ///< `input`, `value` or `condition`
        Member,       ///< children[0] . name
        Index,        ///< children[0] [ children[1] ]
        Call,         ///< children[0] ( children[1..] )
        Unary,        ///< op children[0]
        Binary,       ///< children[0] op children[1]
        Logical,      ///< children[0] && / || children[1]
        Conditional,  ///< children[0] ? children[1] : children[2]
    };

    enum class Op : std::uint8_t {
        None,
        Not,
        Negate,
        Plus,
        TypeOf,
        Add,
        Subtract,
        Multiply,
        Divide,
        Remainder,
        Less,
        LessEqual,
        Greater,
        GreaterEqual,
        StrictEqual,
        StrictNotEqual,
        LooseEqual,
        LooseNotEqual,
        And,
        Or,
    };

    Kind kind = Kind::Literal;
    Op op = Op::None;
    std::size_t begin = 0;  ///< byte offsets of the node's text in the source
    std::size_t end = 0;
    std::size_t operator_at = 0;  ///< byte offset of the operator / '.' / '[' / '('
    std::size_t height = 1;       ///< levels of the subtree rooted here
    expr::Value literal;
    std::string name;
    std::vector<std::unique_ptr<ExpressionNode>> children;
};

}  // namespace clara::engine
