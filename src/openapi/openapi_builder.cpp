#include "openapi/openapi_builder.hpp"

#include "openapi/workflow_schema.hpp"

#include <boost/json/array.hpp>

namespace clara::openapi {
namespace {

namespace json = boost::json;

constexpr std::string_view kErrorRef = "#/components/schemas/Error";
constexpr std::string_view kTag = "Workflow Execution";
constexpr std::string_view kServerDescription = "Clara Agent Runner API";

const std::string& first_of(const std::string& a, const std::string& b, const std::string& c) {
    return !a.empty() ? a : (!b.empty() ? b : c);
}

/// OpenAPI linters refuse a server URL ending in '/', and an empty one.
std::string normalized_server_url(std::string_view base_url) {
    while (!base_url.empty() && base_url.back() == '/') {
        base_url.remove_suffix(1);
    }
    return base_url.empty() ? std::string("/") : std::string(base_url);
}

json::object server_entry(std::string_view base_url) {
    return {{"url", normalized_server_url(base_url)}, {"description", kServerDescription}};
}

json::object error_response(std::string_view description) {
    json::object response;
    response["description"] = description;
    response["content"] = {
        {"application/json", {{"schema", {{"$ref", kErrorRef}}}}},
    };
    return response;
}

/// An error response that tells the client when to retry.
json::object retry_response(std::string_view description) {
    auto response = error_response(description);
    response["headers"] = {
        {"Retry-After",
         {{"description", "Seconds to wait before retrying"},
          {"schema", {{"type", "integer"}, {"minimum", 0}}}}},
    };
    return response;
}

json::object success_schema(const json::object& output_schema) {
    json::object workflow{
        {"type", "object"},
        {"properties",
         {{"id", {{"type", "string"}, {"format", "uuid"}}},
          {"name", {{"type", "string"}}},
          {"slug", {{"type", "string"}}}}},
    };
    json::object metadata_properties{
        {"executionId", {{"type", "string"}, {"format", "uuid"}}},
        {"duration", {{"type", "string"}, {"example", "1234ms"}}},
        {"durationMs", {{"type", "integer"}, {"example", 1234}}},
        {"timestamp", {{"type", "string"}, {"format", "date-time"}}},
        {"nodesExecuted",
         {{"type", "integer"}, {"description", "Number of nodes that ran"}}},
        {"skippedNodes",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"description", "Ids of nodes skipped by conditional branches"}}},
        {"workflow", std::move(workflow)},
        {"tokenUsage",
         {{"type", "object"},
          {"description", "Tokens reported by model providers; present when a model was called"},
          {"properties",
           {{"promptTokens", {{"type", "integer"}}},
            {"completionTokens", {{"type", "integer"}}},
            {"totalTokens", {{"type", "integer"}}},
            {"calls", {{"type", "integer"}}}}}}},
    };
    json::object schema;
    schema["type"] = "object";
    schema["properties"] = {
        {"success", {{"type", "boolean"}, {"example", true}}},
        {"outputs", output_schema},
        {"metadata", {{"type", "object"}, {"properties", std::move(metadata_properties)}}},
    };
    schema["required"] = json::array{"success", "outputs", "metadata"};
    return schema;
}

json::object error_schema() {
    json::object schema;
    schema["type"] = "object";
    schema["properties"] = {
        {"success", {{"type", "boolean"}, {"example", false}}},
        {"error", {{"type", "string"}, {"description", "Error message"}}},
        {"message", {{"type", "string"}, {"description", "What went wrong and how to fix it"}}},
        {"validationErrors",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"description", "Every problem found in the request"}}},
        {"timestamp", {{"type", "string"}, {"format", "date-time"}}},
    };
    schema["required"] = json::array{"success", "error"};
    return schema;
}

json::object responses(const json::object& output_schema) {
    json::object success;
    success["description"] = "Successful execution";
    success["content"] = {
        {"application/json", {{"schema", success_schema(output_schema)}}},
    };
    json::object out;
    out["200"] = std::move(success);
    out["400"] = error_response("Invalid input");
    out["401"] = error_response("Invalid or missing API key");
    out["403"] = error_response("API key does not belong to this workflow");
    out["404"] = error_response("Workflow not found");
    out["413"] = error_response("Request body too large");
    out["429"] = retry_response("Too many requests");
    out["500"] = error_response("Execution error");
    out["502"] = error_response("A model provider or service called by a node failed");
    out["503"] = retry_response("Too many concurrent executions");
    out["504"] = error_response(
        "Workflow execution timeout, or a provider called by a node did not answer in time");
    return out;
}

}  // namespace

std::string execute_path(std::string_view slug) {
    return "/api/workflows/" + std::string(slug) + "/execute";
}

json::object build_openapi(const OpenApiParams& params,
                           const json::object& input_schema,
                           const json::object& output_schema) {
    static const std::string kDefaultTitle = "Clara Workflow";
    static const std::string kDefaultDescription = "Deployed Clara workflow API";
    static const std::string kDefaultOperationName = "workflow";
    static const std::string kDefaultOperationDescription =
        "Execute the deployed workflow with provided inputs";

    json::object info;
    info["title"] = first_of(params.workflow_name, params.deployment_name, kDefaultTitle);
    info["description"] = first_of(params.workflow_description, params.deployment_description,
                                   kDefaultDescription);
    info["version"] = params.workflow_version.empty() ? "1.0.0" : params.workflow_version;

    json::object request_body;
    request_body["required"] = true;
    request_body["content"] = {
        {"application/json",
         {{"schema", input_schema},
          {"examples",
           {{"default",
             {{"summary", "Example input"}, {"value", example_request(input_schema)}}}}}}},
    };

    json::object operation;
    operation["summary"] =
        "Execute " + first_of(params.workflow_name, params.deployment_name, kDefaultOperationName);
    operation["description"] = first_of(params.workflow_description,
                                        params.deployment_description,
                                        kDefaultOperationDescription);
    operation["operationId"] = "execute_" + params.slug;
    operation["tags"] = json::array{kTag};
    operation["security"] = json::array{json::object{{"ApiKeyAuth", json::array{}}}};
    operation["requestBody"] = std::move(request_body);
    operation["responses"] = responses(output_schema);

    json::object components;
    components["securitySchemes"] = {
        {"ApiKeyAuth",
         {{"type", "http"},
          {"scheme", "bearer"},
          {"bearerFormat", "clara_sk_<64 hex>"},
          {"description",
           "API key of this workflow: Authorization: Bearer clara_sk_... (a raw key without "
           "the Bearer prefix is accepted too)"}}},
    };
    components["schemas"] = {{"Error", error_schema()}};

    json::object document;
    document["openapi"] = "3.0.3";
    document["info"] = std::move(info);
    document["servers"] = json::array{server_entry(params.base_url)};
    document["tags"] = json::array{
        json::object{{"name", kTag}, {"description", "Run the deployed workflow"}}};
    document["paths"] = {{execute_path(params.slug), {{"post", std::move(operation)}}}};
    document["components"] = std::move(components);
    return document;
}

json::object build_openapi(const engine::WorkflowDocument& document,
                           const engine::FieldMap& fields,
                           OpenApiParams params) {
    params.workflow_name = document.name;
    params.workflow_description = document.description;
    params.workflow_version = document.version;
    return build_openapi(params, build_input_schema(document, fields),
                         build_output_schema(document, fields));
}

void set_server_url(json::object& document, std::string_view base_url) {
    auto* servers = document.if_contains("servers");
    if (servers != nullptr && servers->is_array() && !servers->get_array().empty() &&
        servers->get_array()[0].is_object()) {
        servers->get_array()[0].get_object()["url"] = normalized_server_url(base_url);
        return;
    }
    document["servers"] = json::array{server_entry(base_url)};
}

}  // namespace clara::openapi
