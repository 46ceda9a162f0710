#include "engine/expression/evaluator.hpp"

#include "engine/expression.hpp"
#include "engine/expression/builtins.hpp"
#include "engine/expression/js_string.hpp"
#include "engine/expression/lexer.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace clara::engine::expr {

namespace {

using Node = ExpressionNode;

[[noreturn]] void fail(const EvalContext& context, std::size_t offset, const std::string& what) {
    throw ExpressionError(what + " (" + column_text(context.source, offset) + ")");
}

std::string_view source_of(const EvalContext& context, const Node& node) {
    return context.source.substr(node.begin, node.end - node.begin);
}

/// `+`: string concatenation when either primitive is a string, numeric addition otherwise.
Value add(const Value& a, const Value& b, EvalContext& context) {
    const Value left = to_primitive(a);
    const Value right = to_primitive(b);
    if (std::holds_alternative<Text>(left) || std::holds_alternative<Text>(right)) {
        const Text l = to_js_string(left);
        const Text r = to_js_string(right);
        context.charge_string(l.view().size() + r.view().size());
        std::string joined;
        joined.reserve(l.view().size() + r.view().size());
        joined.append(l.view());
        joined.append(r.view());
        return Text::owned(std::move(joined));
    }
    return to_number(left) + to_number(right);
}

/// Abstract relational comparison; nullopt means "undefined" (a NaN was involved).
std::optional<bool> less_than(const Value& a, const Value& b) {
    const Value left = to_primitive(a);
    const Value right = to_primitive(b);
    const Text* ls = std::get_if<Text>(&left);
    const Text* rs = std::get_if<Text>(&right);
    if (ls && rs) return compare_utf16(ls->view(), rs->view()) < 0;
    const double x = to_number(left);
    const double y = to_number(right);
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return x < y;
}

Value binary(Node::Op op, const Value& a, const Value& b, EvalContext& context) {
    switch (op) {
        case Node::Op::Add: return add(a, b, context);
        case Node::Op::Subtract: return to_number(a) - to_number(b);
        case Node::Op::Multiply: return to_number(a) * to_number(b);
        case Node::Op::Divide: return to_number(a) / to_number(b);  // IEEE: x/0 = ±Infinity
        case Node::Op::Remainder: return std::fmod(to_number(a), to_number(b));  // JS % is fmod
        case Node::Op::Less: return less_than(a, b).value_or(false);
        case Node::Op::Greater: return less_than(b, a).value_or(false);
        case Node::Op::LessEqual: {
            const auto r = less_than(b, a);
            return r.has_value() && !*r;
        }
        case Node::Op::GreaterEqual: {
            const auto r = less_than(a, b);
            return r.has_value() && !*r;
        }
        case Node::Op::StrictEqual: return strict_equals(a, b);
        case Node::Op::StrictNotEqual: return !strict_equals(a, b);
        case Node::Op::LooseEqual: return loose_equals(a, b);
        case Node::Op::LooseNotEqual: return !loose_equals(a, b);
        default: break;
    }
    return Undefined{};
}

Value unary(Node::Op op, const Value& operand) {
    switch (op) {
        case Node::Op::Not: return !to_boolean(operand);
        case Node::Op::Negate: return -to_number(operand);
        case Node::Op::Plus: return to_number(operand);
        case Node::Op::TypeOf: return Text::borrowed(type_of(operand));
        default: break;
    }
    return Undefined{};
}

}  // namespace

Value evaluate_node(const Node& node, EvalContext& context) {
    if (++context.steps > context.max_steps) {
        fail(context, node.begin,
             "evaluation step limit of " + std::to_string(context.max_steps) + " exceeded");
    }
    switch (node.kind) {
        case Node::Kind::Literal: return node.literal;
        case Node::Kind::Input: return from_json(*context.input);
        case Node::Kind::Member:
        case Node::Kind::Index: {
            const Value object = evaluate_node(*node.children[0], context);
            Text key = Text::borrowed(node.name);
            if (node.kind == Node::Kind::Index) {
                const Value key_value = evaluate_node(*node.children[1], context);
                key = to_js_string(key_value);
                if (!std::holds_alternative<Text>(key_value)) {
                    try {
                        context.charge_string(key.view().size());
                    } catch (const ScriptError& e) {
                        fail(context, node.operator_at, e.what());
                    }
                }
            }
            try {
                return get_property(object, key.view());
            } catch (const ScriptError& e) {
                fail(context, node.operator_at,
                     std::string(e.what()) + " in '" + std::string(source_of(context, node)) + "'");
            }
        }
        case Node::Kind::Call: {
            const Node& callee_node = *node.children[0];
            const Value callee = evaluate_node(callee_node, context);
            std::vector<Value> args;
            args.reserve(node.children.size() - 1);
            for (std::size_t i = 1; i < node.children.size(); ++i) {
                args.push_back(evaluate_node(*node.children[i], context));
            }
            const Function* function = std::get_if<Function>(&callee);
            if (function == nullptr) {
                fail(context, node.operator_at,
                     "'" + std::string(source_of(context, callee_node)) +
                         "' is not a function that expressions may call");
            }
            try {
                return call_builtin(*function, args, context);
            } catch (const ScriptError& e) {
                fail(context, node.operator_at, e.what());
            }
        }
        case Node::Kind::Unary: return unary(node.op, evaluate_node(*node.children[0], context));
        case Node::Kind::Binary: {
            const Value left = evaluate_node(*node.children[0], context);
            const Value right = evaluate_node(*node.children[1], context);
            try {
                return binary(node.op, left, right, context);
            } catch (const ScriptError& e) {
                fail(context, node.operator_at, e.what());
            }
        }
        case Node::Kind::Logical: {
            // Returns an operand, not a boolean; the right side runs only when needed.
            Value left = evaluate_node(*node.children[0], context);
            const bool decided = node.op == Node::Op::And ? !to_boolean(left) : to_boolean(left);
            if (decided) return left;
            return evaluate_node(*node.children[1], context);
        }
        case Node::Kind::Conditional: {
            const bool test = to_boolean(evaluate_node(*node.children[0], context));
            return evaluate_node(*node.children[test ? 1 : 2], context);
        }
    }
    return Undefined{};
}

}  // namespace clara::engine::expr
