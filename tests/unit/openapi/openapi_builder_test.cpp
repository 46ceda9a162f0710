#include "openapi/openapi_builder.hpp"

#include "openapi/input_validator.hpp"
#include "openapi/workflow_schema.hpp"
#include "unit/openapi/test_nodes.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <functional>

namespace clara::openapi {
namespace {

namespace json = boost::json;
using testing::make_node;

constexpr std::string_view kPath = "/api/workflows/research-bot/execute";

engine::WorkflowDocument research_flow() {
    engine::WorkflowDocument document;
    document.name = "Research Bot";
    document.description = "Researches a topic";
    document.version = "2.1.0";
    document.nodes = {
        make_node("topic", "input", {{"label", "Research Topic"}, {"required", true}}),
        make_node("depth", "input", {{"label", "Depth"}, {"inputType", "number"}, {"value", "3"}}),
        make_node("flag", "input", {{"label", "Verbose"}, {"inputType", "boolean"},
                                    {"required", false}}),
        make_node("extra", "input", {{"label", "Extra"}, {"inputType", "json"}}),
        make_node("photo", "image-input", {{"label", "Photo"}}),
        make_node("paper", "pdf-input", {{"label", "Paper"}}),
        make_node("attachment", "file-upload", {{"label", "Attachment"}}),
        make_node("llm", "llm"),
        make_node("answer", "output", {{"outputLabel", "Answer"}}),
        make_node("data", "output", {{"outputLabel", "Data"}, {"format", "json"}}),
    };
    return document;
}

json::object build_research_document(OpenApiParams params = {}) {
    const auto document = research_flow();
    engine::Diagnostics diag;
    const auto fields = engine::assign_fields(document, diag);
    params.slug = "research-bot";
    if (params.base_url.empty()) {
        params.base_url = "https://runner.example.org/";
    }
    return build_openapi(document, fields, params);
}

/// Resolves a local JSON pointer (`#/a/b`) in `root`; nullptr when it does not resolve.
const json::value* resolve_ref(const json::value& root, std::string_view ref) {
    if (ref.substr(0, 2) != "#/") {
        return nullptr;
    }
    json::error_code ec;
    const auto* target = root.find_pointer(ref.substr(1), ec);
    return ec ? nullptr : target;
}

/// Calls `visit(object, key it sits under)` on every object of the document, depth first.
void for_each_object(const json::value& value,
                     const std::function<void(const json::object&, std::string_view)>& visit,
                     std::string_view key = {}) {
    if (value.is_object()) {
        visit(value.get_object(), key);
        for (const auto& entry : value.get_object()) {
            for_each_object(entry.value(), visit, entry.key());
        }
    } else if (value.is_array()) {
        for (const auto& item : value.get_array()) {
            for_each_object(item, visit, key);
        }
    }
}

const json::object& operation(const json::object& document) {
    return document.at("paths").at(kPath).at("post").as_object();
}

TEST(OpenApiBuilder, DescribesTheExecuteOperation) {
    const auto document = build_research_document();
    EXPECT_EQ(document.at("openapi"), "3.0.3");
    EXPECT_EQ(document.at("info"),
              json::parse(R"({"title":"Research Bot","description":"Researches a topic",
                              "version":"2.1.0"})"));
    EXPECT_EQ(document.at("servers"),
              json::parse(R"([{"url":"https://runner.example.org",
                               "description":"Clara Agent Runner API"}])"));
    ASSERT_EQ(document.at("paths").as_object().size(), 1u);
    const auto& post = operation(document);
    EXPECT_EQ(post.at("operationId"), "execute_research-bot");
    EXPECT_EQ(post.at("summary"), "Execute Research Bot");
    EXPECT_EQ(post.at("description"), "Researches a topic");
    EXPECT_EQ(post.at("tags"), json::parse(R"(["Workflow Execution"])"));
    EXPECT_EQ(post.at("security"), json::parse(R"([{"ApiKeyAuth":[]}])"));
    EXPECT_EQ(post.at("requestBody").at("required"), true);
}

TEST(OpenApiBuilder, DeclaresBearerSecurityScheme) {
    const auto document = build_research_document();
    const auto& scheme =
        document.at("components").at("securitySchemes").at("ApiKeyAuth").as_object();
    EXPECT_EQ(scheme.at("type"), "http");
    EXPECT_EQ(scheme.at("scheme"), "bearer");
    EXPECT_NE(std::string_view(scheme.at("description").as_string()).find("clara_sk_"),
              std::string_view::npos);
}

TEST(OpenApiBuilder, FallsBackToDeploymentThenDefaults) {
    engine::WorkflowDocument document;
    document.nodes = {make_node("i", "input"), make_node("o", "output")};
    engine::Diagnostics diag;
    const auto fields = engine::assign_fields(document, diag);

    OpenApiParams params;
    params.slug = "s";
    params.base_url = "http://localhost:3000";
    params.deployment_name = "Deployed Name";
    params.deployment_description = "Deployed description";
    auto built = build_openapi(document, fields, params);
    EXPECT_EQ(built.at("info").at("title"), "Deployed Name");
    EXPECT_EQ(built.at("info").at("description"), "Deployed description");
    EXPECT_EQ(built.at("info").at("version"), "1.0.0");
    EXPECT_EQ(built.at("paths").at("/api/workflows/s/execute").at("post").at("summary"),
              "Execute Deployed Name");

    params.deployment_name.clear();
    params.deployment_description.clear();
    built = build_openapi(document, fields, params);
    EXPECT_EQ(built.at("info").at("title"), "Clara Workflow");
    EXPECT_EQ(built.at("info").at("description"), "Deployed Clara workflow API");
    const auto& post = built.at("paths").at("/api/workflows/s/execute").at("post");
    EXPECT_EQ(post.at("summary"), "Execute workflow");
    EXPECT_EQ(post.at("description"), "Execute the deployed workflow with provided inputs");
}

TEST(OpenApiBuilder, DocumentsEveryResponseWithResolvableRefs) {
    const json::value document = build_research_document();
    const auto& responses = operation(document.as_object()).at("responses").as_object();
    for (const auto* code :
         {"200", "400", "401", "403", "404", "413", "429", "500", "502", "503", "504"}) {
        ASSERT_TRUE(responses.contains(code)) << code;
        EXPECT_FALSE(responses.at(code).at("description").as_string().empty()) << code;
        const auto& schema = responses.at(code).at("content").at("application/json").at("schema");
        if (std::string_view(code) != "200") {
            EXPECT_EQ(schema.at("$ref"), "#/components/schemas/Error") << code;
        }
    }
    EXPECT_TRUE(responses.at("429").at("headers").as_object().contains("Retry-After"));

    std::size_t refs = 0;
    for_each_object(document, [&](const json::object& object, std::string_view) {
        if (const auto* ref = object.if_contains("$ref")) {
            ++refs;
            ASSERT_TRUE(ref->is_string());
            EXPECT_NE(resolve_ref(document, ref->get_string()), nullptr) << ref->get_string();
        }
    });
    EXPECT_GE(refs, 10u);

    const auto& error = *resolve_ref(document, "#/components/schemas/Error");
    for (const auto* key : {"success", "error", "message", "timestamp"}) {
        EXPECT_TRUE(error.at("properties").as_object().contains(key)) << key;
    }
}

TEST(OpenApiBuilder, DocumentsSuccessBodyWithOutputsAndMetadata) {
    const auto document = build_research_document();
    const auto& schema = operation(document)
                             .at("responses").at("200").at("content").at("application/json")
                             .at("schema").as_object();
    const auto& outputs = schema.at("properties").at("outputs").at("properties").as_object();
    EXPECT_TRUE(outputs.contains("answer"));
    EXPECT_EQ(outputs.at("data").at("type"), "object");
    const auto& metadata = schema.at("properties").at("metadata").at("properties").as_object();
    for (const auto* key : {"executionId", "duration", "durationMs", "timestamp", "nodesExecuted",
                            "skippedNodes"}) {
        EXPECT_TRUE(metadata.contains(key)) << key;
    }
    EXPECT_EQ(metadata.at("executionId").at("format"), "uuid");
}

TEST(OpenApiBuilder, KeepsSchemaShapesLintable) {
    const json::value document = build_research_document();
    for_each_object(document, [](const json::object& object, std::string_view key) {
        if (key == "properties" || key == "examples" || key == "example" || key == "value") {
            return;  // maps of names, or example data: not schemas
        }
        // `required` is a non-empty list of declared properties.
        if (const auto* required = object.if_contains("required");
            required != nullptr && required->is_array()) {
            EXPECT_FALSE(required->get_array().empty());
            if (const auto* properties = object.if_contains("properties")) {
                for (const auto& name : required->get_array()) {
                    EXPECT_TRUE(properties->as_object().contains(name.as_string()))
                        << name.as_string();
                }
            }
        }
        // A `oneOf` never sits beside a `type` that could contradict its branches.
        if (object.contains("oneOf")) {
            EXPECT_FALSE(object.contains("type"));
        }
        // OpenAPI 3.0 has a single `type` string, never a JSON Schema type list.
        if (const auto* type = object.if_contains("type"); type != nullptr) {
            EXPECT_TRUE(type->is_string());
        }
    });
}

TEST(OpenApiBuilder, ExampleMatchesTheInputSchema) {
    const auto document = build_research_document();
    const auto& content = operation(document).at("requestBody").at("content")
                              .at("application/json").as_object();
    const auto& schema = content.at("schema").as_object();
    const auto& example = content.at("examples").at("default").at("value").as_object();
    EXPECT_EQ(content.at("examples").at("default").at("summary"), "Example input");

    const auto& properties = schema.at("properties").as_object();
    ASSERT_EQ(example.size(), properties.size());
    EXPECT_EQ(example.at("researchTopic"), "Example text");
    EXPECT_EQ(example.at("depth"), 3);
    EXPECT_EQ(example.at("verbose"), true);
    EXPECT_EQ(example.at("extra"), json::parse(R"({"key":"value"})"));

    // Every documented example passes the very validator the execute route uses.
    const auto validator = InputValidator::from_schema(schema);
    EXPECT_TRUE(validator.validate(example).empty())
        << json::serialize(example) << " -> " << validator.validate(example).front();
}

TEST(OpenApiBuilder, KeepsNodeExtensionsInRequestSchema) {
    const auto document = build_research_document();
    const auto& properties = operation(document).at("requestBody").at("content")
                                 .at("application/json").at("schema").at("properties");
    EXPECT_EQ(properties.at("photo").at("x-node-id"), "photo");
    EXPECT_EQ(properties.at("photo").at("x-node-type"), "image-input");
    EXPECT_EQ(properties.at("photo").at("format"), "base64");
}

TEST(SetServerUrl, RewritesTheStoredServer) {
    auto document = build_research_document();
    set_server_url(document, "https://new.example.com/base/");
    EXPECT_EQ(document.at("servers").at(0).at("url"), "https://new.example.com/base");
    EXPECT_EQ(document.at("servers").at(0).at("description"), "Clara Agent Runner API");
    EXPECT_EQ(document.at("servers").as_array().size(), 1u);

    json::object bare{{"openapi", "3.0.3"}};
    set_server_url(bare, "http://localhost:3000");
    EXPECT_EQ(bare.at("servers"),
              json::parse(R"([{"url":"http://localhost:3000",
                               "description":"Clara Agent Runner API"}])"));
}

TEST(ExecutePath, FollowsTheUrlLayout) {
    EXPECT_EQ(execute_path("my-flow"), "/api/workflows/my-flow/execute");
}

}  // namespace
}  // namespace clara::openapi
