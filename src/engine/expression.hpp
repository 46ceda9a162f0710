#pragma once

#include <boost/json/value.hpp>

#include <memory>
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

/// A parsed if-else condition in the safe expression language of nodes.md § 7.1. It is an
/// interpreter over a syntax tree: nothing is ever handed to an evaluator of code.
/// Parsed once when a workflow is compiled; evaluate() is const and thread-safe.
class Expression {
public:
    /// Parses `source` (at most 1000 characters). Throws ExpressionError.
    static Expression parse(std::string_view source);

    /// Evaluates with `input`, `value` and `condition` bound to `input`. The result is the JS
    /// value of the expression as JSON (`undefined` comes back as null, NaN as null as well,
    /// since JSON has neither); use evaluate_truthy() for branch decisions.
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
};

}  // namespace clara::engine
