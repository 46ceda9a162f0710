// `if-else` (nodes.md § 7): evaluates a condition in the safe expression language and emits the
// value on exactly one of its two handles; the other branch is dead.
#include "engine/expression.hpp"
#include "engine/execution_context.hpp"
#include "nodes/node_data.hpp"
#include "nodes/node_types.hpp"

namespace clara::nodes {
namespace json = boost::json;
using engine::NodeRun;

namespace {

constexpr std::string_view kDefaultExpression = "input > 0";

std::optional<json::value> copy_of(const json::value* value) {
    return value != nullptr ? std::optional<json::value>(*value) : std::nullopt;
}

class IfElseNode final : public engine::SyncNode {
public:
    IfElseNode(std::string node_id, engine::Expression expression, const json::object& data)
        : node_id_(std::move(node_id)),
          expression_(std::move(expression)),
          true_value_(copy_of(non_empty(data, "trueValue"))),
          false_value_(copy_of(non_empty(data, "falseValue"))) {}

protected:
    json::value compute(NodeRun& run) const override {
        const auto* input = run.inputs().read_or_first({"input", "condition"});
        const json::value value = input != nullptr ? *input : json::value(nullptr);
        bool branch = false;
        try {
            branch = expression_.evaluate_truthy(value);
        } catch (const engine::ExpressionError& error) {
            run.context().warn(node_id_, std::string("condition could not be evaluated, taking "
                                                     "the false branch: ") + error.what());
        }
        if (branch) {
            return json::object{{"true", true_value_ ? *true_value_ : value}};
        }
        return json::object{{"false", false_value_ ? *false_value_ : value}};
    }

private:
    std::string node_id_;
    engine::Expression expression_;
    std::optional<json::value> true_value_;
    std::optional<json::value> false_value_;
};

std::unique_ptr<engine::NodeInstance> create(const engine::NodeDecl& decl,
                                             engine::Diagnostics& diag) {
    auto source = string_or(decl.data, "expression", "");
    if (source.empty()) {
        source = string_or(decl.data, "condition", std::string(kDefaultExpression));
    }
    try {
        return std::make_unique<IfElseNode>(decl.id, engine::Expression::parse(source), decl.data);
    } catch (const engine::ExpressionError& error) {
        diag.errors.push_back(std::string("invalid_expression: ") + error.what());
        return nullptr;
    }
}

}  // namespace

const engine::NodeType& if_else_node_type() {
    static const engine::NodeType kType{
        .type = "if-else",
        .inputs = {{"input", "Input Variable"}},
        .outputs = {{"true", "True"}, {"false", "False"}},
        .primary_output = "",  // the one branch that was emitted
        .create = create,
    };
    return kType;
}

}  // namespace clara::nodes
