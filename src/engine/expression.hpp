#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace clara::engine {

struct ExpressionNode;

/// Thrown for syntax errors at parse time and for evaluation errors (unknown identifier,
/// property of null, step limit, ...). The message says what is wrong and where.
class ExpressionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Resource limits of an expression; the defaults are those of nodes.md § 7.1.
struct ExpressionLimits {
    std::size_t max_source_chars = 1000;       ///< characters (code points) of source text
    std::size_t max_steps = 10'000;            ///< evaluated syntax tree nodes per evaluation
    std::size_t max_nesting = 200;             ///< nesting of (), [], call arguments, ?:
    std::size_t max_string_bytes = 64u << 20;  ///< bytes of text built per evaluation
};

/// A parsed if-else condition in the safe expression language of nodes.md § 7.1. It is an
/// interpreter over a syntax tree: nothing is ever handed to an evaluator of code.
/// Parsed once when a workflow is compiled; evaluate() is const and thread-safe.
class Expression {
public:
    /// Parses `source` (at most 1000 characters). Throws ExpressionError.
    static Expression parse(std::string_view source);

    /// Parses with other limits than the defaults (tests, tuning). Throws ExpressionError.
    static Expression parse(std::string_view source, const ExpressionLimits& limits);

    /// Evaluates with `input`, `value` and `condition` bound to `input`. The result is the JS
    /// value of the expression as JSON (`undefined` comes back as null, NaN and ±Infinity as
    /// null as well, since JSON has neither, and so do functions and `Math`); use
    /// evaluate_truthy() for branch decisions.
    /// Throws ExpressionError; at most 10,000 evaluation steps.
    boost::json::value evaluate(const boost::json::value& input) const;

    /// JS truthiness of the expression's value (keeps NaN/undefined falsy).
    bool evaluate_truthy(const boost::json::value& input) const;

    const std::string& source() const { return source_; }

    Expression(Expression&&) noexcept;
    Expression& operator=(Expression&&) noexcept;
    ~Expression();

private:
    Expression(std::string source, std::unique_ptr<ExpressionNode> root);

    std::string source_;
    std::unique_ptr<ExpressionNode> root_;
    ExpressionLimits limits_;
};

}  // namespace clara::engine
