#include "nodes/llm/json_schema_from_example.hpp"

#include "nodes/llm/json_answer.hpp"
#include "nodes/llm/schema_check.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace clara::nodes::llm {
namespace {

namespace json = boost::json;

TEST(StructuredSchema, DerivesTheSpecSchemaFromAnExample) {
    const auto schema = schema_from_example(json::parse(
        R"({"name":"x","age":30,"score":0.5,"ok":true,"tags":["a"],"none":null,"empty":[],
            "whole":2.0})"));
    EXPECT_EQ(schema, json::parse(R"({"type":"object","properties":{
        "name":{"type":"string"},"age":{"type":"integer"},"score":{"type":"number"},
        "ok":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string"}},
        "none":{"type":"null"},"empty":{"type":"array","items":{}},
        "whole":{"type":"integer"}},
        "required":["name","age","score","ok","tags","none","empty","whole"],
        "additionalProperties":false})"));
}

TEST(StructuredSchema, MatchingAnswerHasNoMismatch) {
    const auto schema = schema_from_example(json::parse(R"({"a":1,"b":[{"c":"x"}],"n":1.5})"));
    EXPECT_FALSE(find_schema_mismatch(json::parse(R"({"a":2,"b":[],"n":3})"), schema));
    EXPECT_FALSE(find_schema_mismatch(json::parse(R"({"a":2.0,"b":[{"c":"y"}],"n":3.25})"),
                                      schema));
}

TEST(StructuredSchema, MismatchNamesTheFirstOffendingPath) {
    const auto schema = schema_from_example(
        json::parse(R"({"user":{"name":"x","age":1},"items":[{"id":1}]})"));
    EXPECT_EQ(find_schema_mismatch(
                  json::parse(R"({"user":{"name":"x","age":"old"},"items":[]})"), schema),
              "$.user.age: expected integer, got string");
    EXPECT_EQ(find_schema_mismatch(
                  json::parse(R"({"user":{"name":"x","age":1},"items":[{"id":1},{"id":1.5}]})"),
                  schema),
              "$.items[1].id: expected integer, got number");
    EXPECT_EQ(find_schema_mismatch(json::parse(R"({"user":{"name":"x"},"items":[]})"), schema),
              "$.user.age: required property is missing");
    EXPECT_EQ(find_schema_mismatch(
                  json::parse(R"({"user":{"name":"x","age":1},"items":[],"my key":1})"), schema),
              R"($["my key"]: property is not in the example)");
    EXPECT_EQ(find_schema_mismatch(json::parse("[1]"), schema), "$: expected object, got array");
}

TEST(StructuredAnswer, ParsesFencedJson) {
    EXPECT_EQ(parse_json_answer("```json\n{\"a\": 1}\n```"), json::parse(R"({"a":1})"));
    EXPECT_EQ(parse_json_answer("Sure! Here it is: {\"a\": {\"b\": 2}} Hope that helps."),
              json::parse(R"({"a":{"b":2}})"));
}

TEST(StructuredAnswer, FallsBackToTheArraySpan) {
    EXPECT_EQ(parse_json_answer("Result:\n[{\"a\":1},{\"a\":2}]"),
              json::parse(R"([{"a":1},{"a":2}])"));
    EXPECT_EQ(parse_json_answer("```\n[1, 2]\n```"), json::parse("[1,2]"));
}

TEST(StructuredAnswer, ProseIsNotJson) {
    EXPECT_FALSE(parse_json_answer("I cannot answer that."));
    EXPECT_FALSE(parse_json_answer("{not json}"));
}

}  // namespace
}  // namespace clara::nodes::llm
