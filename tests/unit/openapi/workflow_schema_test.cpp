#include "openapi/workflow_schema.hpp"

#include "unit/openapi/test_nodes.hpp"
#include "util/base64.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <ostream>

namespace clara::openapi {
namespace {

namespace json = boost::json;
using testing::make_node;

/// A document with the given nodes and its field map.
struct Flow {
    engine::WorkflowDocument document;
    engine::FieldMap fields;
};

Flow make_flow(std::vector<engine::NodeDecl> nodes) {
    Flow flow;
    flow.document.nodes = std::move(nodes);
    engine::Diagnostics diag;
    flow.fields = engine::assign_fields(flow.document, diag);
    return flow;
}

json::object input_schema_of(std::vector<engine::NodeDecl> nodes) {
    const auto flow = make_flow(std::move(nodes));
    return build_input_schema(flow.document, flow.fields);
}

const json::object& property(const json::object& schema, std::string_view field) {
    return schema.at("properties").as_object().at(field).as_object();
}

bool is_required(const json::object& schema, std::string_view field) {
    const auto* required = schema.if_contains("required");
    if (required == nullptr) {
        return false;
    }
    for (const auto& name : required->as_array()) {
        if (name.as_string() == field) {
            return true;
        }
    }
    return false;
}

struct RequiredCase {
    std::string type;
    std::string data;  // JSON text of node.data
    bool required;
};

void PrintTo(const RequiredCase& c, std::ostream* os) {
    *os << c.type << ' ' << c.data << (c.required ? " required" : " optional");
}

class RequiredRule : public ::testing::TestWithParam<RequiredCase> {};

TEST_P(RequiredRule, DependsOnFlagAndSavedDefault) {
    const auto& param = GetParam();
    auto data = json::parse(param.data).as_object();
    data["label"] = "Field";
    const auto schema = input_schema_of({make_node("n", param.type, data)});
    EXPECT_EQ(is_required(schema, "field"), param.required) << param.type << " " << param.data;
}

INSTANTIATE_TEST_SUITE_P(
    Cases,
    RequiredRule,
    ::testing::Values(
        RequiredCase{"input", "{}", true},
        RequiredCase{"input", R"({"value":""})", true},
        RequiredCase{"input", R"({"value":null})", true},
        RequiredCase{"input", R"({"value":"hi"})", false},
        RequiredCase{"input", R"({"value":"","defaultValue":"x"})", false},
        RequiredCase{"input", R"({"value":0})", false},
        RequiredCase{"input", R"({"value":"hi","required":true})", true},
        RequiredCase{"input", R"({"required":false})", false},
        RequiredCase{"input", R"({"required":"false"})", true},  // only the boolean counts
        RequiredCase{"image-input", "{}", true},
        RequiredCase{"image-input", R"({"imageFile":"iVBORw0KGgo="})", false},
        RequiredCase{"image-input", R"({"imageFile":""})", true},
        RequiredCase{"pdf-input", "{}", true},
        RequiredCase{"pdf-input", R"({"pdfFile":"JVBERi0="})", false},
        RequiredCase{"pdf-input", R"({"pdfFile":"JVBERi0=","required":true})", true},
        RequiredCase{"file-upload", "{}", true},
        RequiredCase{"file-upload", R"({"outputs":{"content":"hello"}})", false},
        RequiredCase{"file-upload", R"({"outputs":{"content":null}})", true},
        RequiredCase{"file-upload", R"({"outputs":[]})", true}));

TEST(InputSchema, OmitsRequiredWhenNothingIsRequired) {
    const auto schema = input_schema_of({make_node("n", "input", {{"value", "x"}})});
    EXPECT_FALSE(schema.contains("required"));
    EXPECT_EQ(schema.at("type"), "object");
    EXPECT_EQ(schema.at("additionalProperties"), false);
}

TEST(InputSchema, ListsPropertiesInNodeOrderWithNodeExtensions) {
    const auto schema = input_schema_of({make_node("b", "input", {{"label", "Zed"}}),
                                         make_node("x", "llm"),
                                         make_node("a", "image-input", {{"label", "Alpha"}})});
    const auto& properties = schema.at("properties").as_object();
    ASSERT_EQ(properties.size(), 2u);
    EXPECT_EQ(properties.begin()->key(), "zed");
    EXPECT_EQ(property(schema, "zed").at("x-node-id"), "b");
    EXPECT_EQ(property(schema, "zed").at("x-node-type"), "input");
    EXPECT_EQ(property(schema, "alpha").at("x-node-id"), "a");
    EXPECT_EQ(property(schema, "alpha").at("x-node-type"), "image-input");
    EXPECT_EQ(schema.at("required"), json::parse(R"(["zed","alpha"])"));
}

TEST(InputSchema, TypesInputsByInputType) {
    const auto schema = input_schema_of({
        make_node("1", "input", {{"label", "Text"}}),
        make_node("2", "input", {{"label", "Area"}, {"inputType", "textarea"}}),
        make_node("3", "input", {{"label", "Count"}, {"inputType", "number"}}),
        make_node("4", "input", {{"label", "Flag"}, {"inputType", "boolean"}}),
        make_node("5", "input", {{"label", "Payload"}, {"inputType", "json"}}),
    });
    EXPECT_EQ(json::value(property(schema, "text")),
              json::parse(R"({"type":"string","description":"Text input","x-node-id":"1",
                              "x-node-type":"input"})"));
    EXPECT_EQ(property(schema, "area").at("type"), "string");
    EXPECT_EQ(property(schema, "count").at("type"), "number");
    EXPECT_EQ(property(schema, "count").at("description"), "Number input");
    EXPECT_EQ(property(schema, "flag").at("type"), "boolean");
    // JSON inputs accept any JSON value; the object example documents the usual shape.
    const auto& payload = property(schema, "payload");
    EXPECT_FALSE(payload.contains("type"));
    EXPECT_EQ(payload.at("description"), "JSON object input");
    EXPECT_EQ(payload.at("example"), json::parse(R"({"key":"value"})"));
}

TEST(InputSchema, ConvertsSavedDefaultsToThePropertyType) {
    const auto schema = input_schema_of({
        make_node("1", "input", {{"label", "Text"}, {"value", "hello"}}),
        make_node("2", "input", {{"label", "Count"}, {"inputType", "number"}, {"value", " 42 "}}),
        make_node("3", "input", {{"label", "Ratio"}, {"inputType", "number"}, {"value", "0.5"}}),
        make_node("4", "input", {{"label", "Bad"}, {"inputType", "number"}, {"value", "abc"}}),
        make_node("5", "input", {{"label", "Flag"}, {"inputType", "boolean"}, {"value", "TRUE"}}),
        make_node("6", "input", {{"label", "Obj"}, {"inputType", "json"}, {"value", R"({"a":1})"}}),
        make_node("7", "input", {{"label", "Raw"}, {"inputType", "json"}, {"value", "{oops"}}),
        make_node("8", "input", {{"label", "Num"}, {"value", 7}}),
        make_node("9", "input", {{"label", "Fallback"}, {"defaultValue", "dv"}}),
    });
    EXPECT_EQ(property(schema, "text").at("default"), "hello");
    EXPECT_EQ(property(schema, "count").at("default"), 42);
    EXPECT_TRUE(property(schema, "count").at("default").is_int64());
    EXPECT_EQ(property(schema, "ratio").at("default"), 0.5);
    EXPECT_FALSE(property(schema, "bad").contains("default"));
    EXPECT_EQ(property(schema, "flag").at("default"), true);
    EXPECT_EQ(property(schema, "obj").at("default"), json::parse(R"({"a":1})"));
    EXPECT_FALSE(property(schema, "obj").contains("example"));  // the default is the example
    EXPECT_EQ(property(schema, "raw").at("default"), "{oops");
    EXPECT_EQ(property(schema, "num").at("default"), "7");
    EXPECT_EQ(property(schema, "fallback").at("default"), "dv");
}

TEST(InputSchema, NeverCopiesBinaryDefaults) {
    const auto schema = input_schema_of({
        make_node("i", "image-input", {{"label", "Img"}, {"imageFile", "iVBORw0KGgo="}}),
        make_node("p", "pdf-input", {{"label", "Pdf"}, {"pdfFile", "JVBERi0="}}),
        make_node("f", "file-upload",
                  {{"label", "File"}, {"outputs", {{"content", "text"}, {"metadata", nullptr}}}}),
    });
    for (const auto* field : {"img", "pdf", "file"}) {
        EXPECT_FALSE(property(schema, field).contains("default")) << field;
    }
}

TEST(InputSchema, DescribesBinaryEntryNodes) {
    const auto schema = input_schema_of({
        make_node("i", "image-input", {{"label", "Img"}}),
        make_node("p", "pdf-input", {{"label", "Pdf"}}),
        make_node("f", "file-upload", {{"label", "File"}}),
    });
    const auto& image = property(schema, "img");
    EXPECT_EQ(image.at("type"), "string");
    EXPECT_EQ(image.at("format"), "base64");
    EXPECT_EQ(image.at("description"),
              "Base64 encoded image data (supports png, jpg, jpeg, gif, webp)");
    const auto url = util::parse_data_url(image.at("example").as_string());
    ASSERT_TRUE(url.has_value());
    EXPECT_EQ(url->mime, "image/png");
    const auto png = util::base64_decode(url->payload);
    ASSERT_TRUE(png.has_value());
    EXPECT_EQ(png->substr(0, 4), "\x89PNG");

    EXPECT_EQ(property(schema, "pdf").at("format"), "binary");
    EXPECT_EQ(property(schema, "pdf").at("description"), "PDF file content or base64 encoded PDF");

    const auto& file = property(schema, "file");
    EXPECT_FALSE(file.contains("type"));  // no `type` beside `oneOf`
    const auto& one_of = file.at("oneOf").as_array();
    ASSERT_EQ(one_of.size(), 2u);
    EXPECT_EQ(one_of[0].at("type"), "string");
    EXPECT_EQ(one_of[1].at("type"), "object");
    const auto& object_properties = one_of[1].at("properties").as_object();
    for (const auto* key : {"data", "file", "name", "type", "size"}) {
        EXPECT_TRUE(object_properties.contains(key)) << key;
    }
}

TEST(InputSchema, UsesNodeDescriptionWhenGiven) {
    const auto schema = input_schema_of({
        make_node("1", "input", {{"label", "Topic"}, {"description", "What to research"}}),
        make_node("2", "image-input", {{"label", "Photo"}, {"description", ""}}),
    });
    EXPECT_EQ(property(schema, "topic").at("description"), "What to research");
    EXPECT_EQ(property(schema, "photo").at("description"),
              "Base64 encoded image data (supports png, jpg, jpeg, gif, webp)");
}

TEST(OutputSchema, IsEmptyObjectWithoutOutputNodes) {
    const auto flow = make_flow({make_node("i", "input")});
    EXPECT_EQ(json::value(build_output_schema(flow.document, flow.fields)),
              json::parse(R"({"type":"object","properties":{}})"));
}

TEST(OutputSchema, TypesOnlyJsonFormatOutputs) {
    const auto flow = make_flow({
        make_node("o1", "output", {{"outputLabel", "Text"}, {"format", "text"}}),
        make_node("o2", "output", {{"outputLabel", "Data"}, {"format", "json"}}),
        make_node("o3", "output", {{"outputLabel", "Described"}, {"description", "The answer"},
                                   {"format", "json"}}),
        make_node("o4", "output"),
    });
    const auto schema = build_output_schema(flow.document, flow.fields);
    EXPECT_EQ(schema.at("type"), "object");
    EXPECT_FALSE(schema.contains("required"));
    EXPECT_EQ(json::value(property(schema, "text")),
              json::parse(R"({"description":"Output value","x-node-id":"o1",
                              "x-node-type":"output"})"));
    EXPECT_EQ(property(schema, "data").at("type"), "object");
    EXPECT_EQ(property(schema, "data").at("description"), "Output value (JSON format)");
    EXPECT_EQ(property(schema, "described").at("description"), "The answer (JSON format)");
    EXPECT_EQ(property(schema, "o4").at("x-node-id"), "o4");
}

TEST(SimpleSchema, HasInputOutputAndMetadata) {
    auto flow = make_flow({make_node("i", "input"), make_node("o", "output")});
    flow.document.connections.push_back({"e1", "i", "output", "o", "input"});
    auto schema = build_simple_schema(flow.document, flow.fields);
    EXPECT_TRUE(schema.at("input").at("properties").as_object().contains("i"));
    EXPECT_TRUE(schema.at("output").at("properties").as_object().contains("o"));
    EXPECT_EQ(schema.at("metadata"),
              json::parse(R"({"nodeCount":2,"connectionCount":1,"hasCustomNodes":false})"));

    flow.document.custom_nodes.push_back(json::object{{"type", "x"}});
    schema = build_simple_schema(flow.document, flow.fields);
    EXPECT_EQ(schema.at("metadata").at("hasCustomNodes"), true);
}

TEST(ExampleRequest, PrefersExampleThenDefaultThenTypePlaceholder) {
    const auto schema = json::parse(R"({"type":"object","properties":{
        "a":{"type":"string","example":"ex","default":"def"},
        "b":{"type":"string","default":"def"},
        "c":{"type":"string"},
        "d":{"type":"string","format":"base64"},
        "e":{"type":"number"},
        "f":{"type":"boolean"},
        "g":{"type":"object"},
        "h":{"type":"array"},
        "i":{"description":"anything"}}})").as_object();
    const auto example = example_request(schema);
    EXPECT_EQ(example.at("a"), "ex");
    EXPECT_EQ(example.at("b"), "def");
    EXPECT_EQ(example.at("c"), "Example text");
    EXPECT_EQ(example.at("d").as_string(), kExamplePngDataUrl);
    EXPECT_EQ(example.at("e"), 42);
    EXPECT_EQ(example.at("f"), true);
    EXPECT_EQ(example.at("g"), json::parse(R"({"key":"value"})"));
    EXPECT_EQ(example.at("h"), json::parse(R"(["item1","item2"])"));
    EXPECT_TRUE(example.at("i").is_null());
    EXPECT_EQ(example.begin()->key(), "a");
}

}  // namespace
}  // namespace clara::openapi
