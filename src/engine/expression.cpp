#include "engine/expression.hpp"

#include "engine/expression/eval_context.hpp"
#include "engine/expression/evaluator.hpp"
#include "engine/expression/js_string.hpp"
#include "engine/expression/parser.hpp"
#include "engine/expression/syntax_tree.hpp"

#include <utility>

namespace clara::engine {

namespace {

expr::Value run(const std::string& source,
                const ExpressionNode* root,
                const ExpressionLimits& limits,
                const boost::json::value& input) {
    if (root == nullptr) throw ExpressionError("the expression was moved from");
    expr::EvalContext context;
    context.source = source;
    context.input = &input;
    context.max_steps = limits.max_steps;
    context.max_string_bytes = limits.max_string_bytes;
    try {
        return expr::evaluate_node(*root, context);
    } catch (const expr::ScriptError& e) {
        throw ExpressionError(e.what());
    }
}

}  // namespace

Expression::Expression(std::string source, std::unique_ptr<ExpressionNode> root)
    : source_(std::move(source)), root_(std::move(root)) {}

Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;
Expression::~Expression() = default;

Expression Expression::parse(std::string_view source) { return parse(source, ExpressionLimits{}); }

Expression Expression::parse(std::string_view source, const ExpressionLimits& limits) {
    // Checked on bytes first so that counting characters of a huge text stays cheap.
    if (source.size() > 4 * limits.max_source_chars ||
        expr::code_point_count(source) > limits.max_source_chars) {
        throw ExpressionError("the expression is too long (at most " +
                              std::to_string(limits.max_source_chars) + " characters)");
    }
    std::string text(source);
    auto root = expr::parse_syntax_tree(text, limits.max_nesting);
    Expression expression(std::move(text), std::move(root));
    expression.limits_ = limits;
    return expression;
}

boost::json::value Expression::evaluate(const boost::json::value& input) const {
    return expr::to_json(run(source_, root_.get(), limits_, input));
}

bool Expression::evaluate_truthy(const boost::json::value& input) const {
    return expr::to_boolean(run(source_, root_.get(), limits_, input));
}

}  // namespace clara::engine
