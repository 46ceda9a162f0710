#include "nodes/node_types.hpp"

#include "unit/nodes/node_test_support.hpp"

namespace clara::nodes {
namespace {

using testing::json;
using testing::NodeHarness;

TEST(IfElseNode, EmitsExactlyOneBranchWithTheInputValue) {
    NodeHarness node("if-else", R"({"expression":"input.length > 3"})");
    EXPECT_EQ(node.input("input", json(R"("long text")")).run(), json(R"({"true":"long text"})"));
    NodeHarness other("if-else", R"({"expression":"input.length > 3"})");
    EXPECT_EQ(other.input("input", json(R"("ab")")).run(), json(R"({"false":"ab"})"));
}

TEST(IfElseNode, UsesTrueAndFalseValuesWhenSet) {
    NodeHarness node("if-else", R"({"expression":"input.score >= 0.5 && input.valid","trueValue":"pass","falseValue":"fail"})");
    EXPECT_EQ(node.input("input", json(R"({"score":0.7,"valid":true})")).run(), json(R"({"true":"pass"})"));
}

TEST(IfElseNode, DefaultsToInputGreaterThanZeroAndReadsConditionAlias) {
    EXPECT_EQ(NodeHarness("if-else").input("condition", json("5")).run(), json(R"({"true":5})"));
    EXPECT_EQ(NodeHarness("if-else").input("condition", json("-1")).run(), json(R"({"false":-1})"));
    EXPECT_EQ(NodeHarness("if-else", R"({"condition":"input === 'x'"})").input("input", json(R"("x")")).run(),
              json(R"({"true":"x"})"));
}

TEST(IfElseNode, EvaluationErrorsTakeTheFalseBranchWithAWarning) {
    NodeHarness node("if-else", R"({"expression":"input.name.length > 0"})");
    EXPECT_EQ(node.run(), json(R"({"false":null})"));  // property of null
    ASSERT_EQ(node.logs().size(), 1u);
    EXPECT_EQ(node.logs()[0].level, "warn");
}

TEST(IfElseNode, RefusesExpressionsOutsideTheLanguageAtCompileTime) {
    NodeHarness node("if-else", R"js({"expression":"input.constructor.constructor('return process')()"})js");
    // Either rejected when parsed, or failing safely when evaluated: never executed as code.
    if (node.built()) {
        EXPECT_EQ(node.input("input", json(R"("x")")).run(), json(R"({"false":"x"})"));
    } else {
        ASSERT_EQ(node.diagnostics().errors.size(), 1u);
        EXPECT_EQ(node.diagnostics().errors[0].rfind("invalid_expression: ", 0), 0u);
    }
    NodeHarness broken("if-else", R"({"expression":"input >"})");
    EXPECT_FALSE(broken.built());
}

}  // namespace
}  // namespace clara::nodes
