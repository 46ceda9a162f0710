#include "nodes/node_types.hpp"

#include "unit/nodes/node_test_support.hpp"

namespace clara::nodes {
namespace {

using testing::json;
using testing::NodeHarness;

TEST(InputNode, EmitsTheApiValueUnchangedForText) {
    NodeHarness node("input", R"({"value":"saved"})");
    EXPECT_EQ(node.external(json(R"("hello")")).run(), json(R"({"output":"hello"})"));
}

TEST(InputNode, FallsBackToValueThenDefaultValueThenNull) {
    EXPECT_EQ(NodeHarness("input", R"({"value":"v","defaultValue":"d"})").run(), json(R"({"output":"v"})"));
    EXPECT_EQ(NodeHarness("input", R"({"value":"","defaultValue":"d"})").run(), json(R"({"output":"d"})"));
    EXPECT_EQ(NodeHarness("input", "{}").run(), json(R"({"output":null})"));
}

TEST(InputNode, ConvertsNumbers) {
    NodeHarness node("input", R"({"inputType":"number"})");
    EXPECT_EQ(node.external(json(R"(" 12.5 ")")).run(), json(R"({"output":12.5})"));
    EXPECT_EQ(node.external(json(R"("7")")).run(), json(R"({"output":7})"));
    EXPECT_EQ(node.external(json(R"("abc")")).run(), json(R"({"output":0})"));
    EXPECT_EQ(node.external(json("3")).run(), json(R"({"output":3})"));
    EXPECT_EQ(NodeHarness("input", R"({"inputType":"number"})").run(), json(R"({"output":null})"));
}

TEST(InputNode, ParsesJsonAndKeepsTextThatIsNotJson) {
    NodeHarness node("input", R"({"inputType":"json"})");
    EXPECT_EQ(node.external(json(R"("{\"a\":[1,2]}")")).run(), json(R"({"output":{"a":[1,2]}})"));
    EXPECT_EQ(node.external(json(R"("{oops")")).run(), json(R"({"output":"{oops"})"));
    EXPECT_EQ(node.logs().size(), 1u);
    EXPECT_EQ(node.external(json(R"({"x":1})")).run(), json(R"({"output":{"x":1}})"));
}

TEST(InputNode, ConvertsBooleans) {
    NodeHarness node("input", R"({"inputType":"boolean"})");
    EXPECT_EQ(node.external(json(R"("TRUE")")).run(), json(R"({"output":true})"));
    EXPECT_EQ(node.external(json(R"("1")")).run(), json(R"({"output":true})"));
    EXPECT_EQ(node.external(json(R"("no")")).run(), json(R"({"output":false})"));
    EXPECT_EQ(node.external(json("0")).run(), json(R"({"output":false})"));
}

TEST(OutputNode, PassesItsInputOn) {
    NodeHarness node("output");
    EXPECT_EQ(node.input("input", json(R"({"a":1})")).run(), json(R"({"a":1})"));
}

TEST(OutputNode, ReadsTheFirstLiveInputWhenInputIsAbsentAndNullWhenNone) {
    EXPECT_EQ(NodeHarness("output").input("other", json("5")).run(), json("5"));
    EXPECT_EQ(NodeHarness("output").run(), json("null"));
}

TEST(OutputNode, AppliesFormats) {
    EXPECT_EQ(NodeHarness("output", R"({"format":"json"})").input("input", json(R"("[1,2]")")).run(),
              json("[1,2]"));
    EXPECT_EQ(NodeHarness("output", R"({"format":"json"})").input("input", json(R"("not json")")).run(),
              json(R"("not json")"));
    EXPECT_EQ(NodeHarness("output", R"({"format":"text"})").input("input", json(R"({"a":1.5})")).run(),
              json(R"("{\"a\":1.5}")"));
    EXPECT_EQ(NodeHarness("output", R"({"format":"text"})").input("input", json("2")).run(), json(R"("2")"));
    EXPECT_EQ(NodeHarness("output", R"({"format":"number"})").input("input", json(R"("42")")).run(), json("42"));
    EXPECT_EQ(NodeHarness("output", R"({"format":"auto"})").input("input", json(R"("42")")).run(), json(R"("42")"));
}

}  // namespace
}  // namespace clara::nodes
