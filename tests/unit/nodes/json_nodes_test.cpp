#include "nodes/node_types.hpp"

#include "unit/nodes/node_test_support.hpp"

namespace clara::nodes {
namespace {

using testing::json;
using testing::NodeHarness;

TEST(JsonParseNode, ParsesTextAndExtractsDotPaths) {
    NodeHarness node("json-parse", R"({"extractField":"data.items.1.name"})");
    EXPECT_EQ(node.input("input", json(R"("{\"data\":{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}")")).run(),
              json(R"({"output":"b"})"));
}

TEST(JsonParseNode, MissingPathIsNullNotAnError) {
    NodeHarness node("json-parse", R"({"field":"nope.deeper","failOnError":true})");
    EXPECT_EQ(node.input("input", json(R"("{\"a\":1}")")).run(), json(R"({"output":null})"));
}

TEST(JsonParseNode, UnwrapsApiRequestResultsAndPassesObjects) {
    EXPECT_EQ(NodeHarness("json-parse").input("input", json(R"({"data":{"x":1},"status":200})")).run(),
              json(R"({"output":{"x":1}})"));
    EXPECT_EQ(NodeHarness("json-parse").input("json", json("[1,2]")).run(), json(R"({"output":[1,2]})"));
}

TEST(JsonParseNode, ParseErrorsAreNullUnlessFailOnError) {
    EXPECT_EQ(NodeHarness("json-parse").input("input", json(R"("  ")")).run(), json(R"({"output":null})"));
    NodeHarness strict("json-parse", R"({"failOnError":true})");
    EXPECT_FALSE(strict.input("input", json(R"("{bad")")).run().has_value());
    EXPECT_EQ(strict.error().rfind("JSON Parse Error: ", 0), 0u);
    NodeHarness empty("json-parse", R"({"failOnError":true})");
    EXPECT_FALSE(empty.run().has_value());
    EXPECT_EQ(empty.error(), "Empty input provided to JSON parser");
}

TEST(JsonStringifyNode, PrettyPrintsLikeJsonStringify) {
    NodeHarness node("json-stringify");
    EXPECT_EQ(node.input("input", json(R"({"a":[1,{}],"b":2.5})")).run(),
              json(R"({"output":"{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": 2.5\n}"})"));
}

TEST(JsonStringifyNode, HonoursIndentAndCompactMode) {
    EXPECT_EQ(NodeHarness("json-stringify", R"({"indent":"4"})").input("input", json("[1]")).run(),
              json(R"({"output":"[\n    1\n]"})"));
    EXPECT_EQ(NodeHarness("json-stringify", R"({"indent":99})").input("input", json("[1]")).run(),
              json(R"({"output":"[\n        1\n]"})"));
    EXPECT_EQ(NodeHarness("json-stringify", R"({"prettyPrint":false})").input("input", json(R"({"a":1})")).run(),
              json(R"({"output":"{\"a\":1}"})"));
    EXPECT_EQ(NodeHarness("json-stringify", R"({"indent":true})").input("input", json("[1]")).run(),
              json(R"({"output":"[\n  1\n]"})"));
}

TEST(JsonStringifyNode, KeepsStringsAndUsesNullFallback) {
    EXPECT_EQ(NodeHarness("json-stringify").input("input", json(R"("as is")")).run(), json(R"({"output":"as is"})"));
    EXPECT_EQ(NodeHarness("json-stringify", R"({"nullFallback":"none"})").run(), json(R"({"output":"none"})"));
}

}  // namespace
}  // namespace clara::nodes
