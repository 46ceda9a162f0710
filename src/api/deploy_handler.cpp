// POST /api/deploy: validate, compile once, generate the schemas and a key, store, cache.
#include "api/access_control.hpp"
#include "api/api_error.hpp"
#include "api/handlers.hpp"
#include "api/request_parsing.hpp"
#include "engine/compiler.hpp"
#include "openapi/openapi_builder.hpp"
#include "openapi/workflow_schema.hpp"
#include "service/api_key.hpp"
#include "service/slug.hpp"
#include "util/crypto.hpp"
#include "util/time_format.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace clara::api {
namespace json = boost::json;

namespace {

constexpr int kSlugAttempts = 20;  // generated slugs try <slug>, <slug>-1, ... on conflict

/// The request's own fields (deployment-api.md § 3.4); the workflow is checked by the compiler.
struct DeployRequest {
    const json::value* workflow = nullptr;
    std::string name;
    std::string slug;
    std::optional<std::string> description;
    std::optional<std::string> user_id;
};

DeployRequest validate_request(const json::object& body, json::array& problems) {
    DeployRequest request;
    request.workflow = body.if_contains("workflow");
    if (request.workflow == nullptr || request.workflow->is_null()) {
        problems.push_back("workflow is required");
    } else if (!request.workflow->is_object()) {
        problems.push_back("workflow must be an object (an Agent Studio export)");
    }
    const auto* name = body.if_contains("name");
    if (name == nullptr || !name->is_string() ||
        name->get_string().find_first_not_of(" \t\r\n") == json::string::npos) {
        problems.push_back("name is required and must be a non-empty string");
    } else if (name->get_string().size() > 255) {
        problems.push_back("name must be 255 characters or less");
    } else {
        request.name = std::string(name->get_string());
    }
    if (const auto* slug = body.if_contains("slug")) {
        if (!slug->is_string()) {
            problems.push_back("slug must be a string");
        } else if (slug->get_string().size() > 255) {
            problems.push_back("slug must be 255 characters or less");
        } else if (!slug->get_string().empty() && !service::is_valid_slug(slug->get_string())) {
            problems.push_back("slug must contain only lowercase letters, numbers, and hyphens");
        } else {
            request.slug = std::string(slug->get_string());
        }
    }
    if (const auto* description = body.if_contains("description"); description && !description->is_null()) {
        if (!description->is_string()) {
            problems.push_back("description must be a string");
        } else if (description->get_string().size() > 5000) {
            problems.push_back("description must be 5000 characters or less");
        } else {
            request.description = std::string(description->get_string());
        }
    }
    if (const auto* user = body.if_contains("userId"); user && !user->is_null()) {
        if (!user->is_string() || user->get_string().size() > 255) {
            problems.push_back("userId must be a string of 255 characters or less");
        } else {
            request.user_id = std::string(user->get_string());
        }
    }
    return request;
}

json::array to_array(const std::vector<std::string>& lines) {
    json::array array;
    for (const auto& line : lines) {
        array.push_back(json::string(line));
    }
    return array;
}

}  // namespace

Awaitable handle_deploy(AppContext& app, http::Request& request) {
    require_management_access(app, request);
    const auto body = parse_json_object_body(request);
    json::array problems;
    auto deploy = validate_request(body, problems);
    if (!problems.empty()) {
        throw ApiError(400, "Validation failed", "Fix the fields listed in validationErrors",
                       json::object{{"validationErrors", std::move(problems)}});
    }

    auto compiled = engine::compile_envelope(*deploy.workflow, app.catalog, {});
    if (!compiled.diag.ok()) {
        throw ApiError(400, "Validation failed",
                       "The workflow cannot be deployed; fix the problems listed in validationErrors",
                       json::object{{"validationErrors", to_array(compiled.diag.errors)},
                                    {"warnings", to_array(compiled.diag.warnings)}});
    }
    const auto& plan = compiled.workflow;
    const auto simple_schema = openapi::build_simple_schema(plan->document, plan->fields);
    const auto key = service::generate_api_key();

    storage::Deployment record;
    record.id = util::uuid_v4();
    record.name = deploy.name;
    record.description = deploy.description;
    record.workflow = engine::to_json(plan->document);
    record.field_map = engine::to_json(plan->fields);
    record.user_id = deploy.user_id;
    record.api_key_hash = key.hash;
    record.created_at_ms = record.updated_at_ms = util::now_ms();

    const bool generated_slug = deploy.slug.empty();
    const auto base_slug = generated_slug ? service::slug_from_name(deploy.name) : deploy.slug;
    bool stored = false;
    for (int attempt = 0; attempt < (generated_slug ? kSlugAttempts : 1) && !stored; ++attempt) {
        record.slug = attempt == 0 ? base_slug : base_slug + "-" + std::to_string(attempt);
        openapi::OpenApiParams params;
        params.slug = record.slug;
        params.base_url = app.settings.base_url;
        params.deployment_name = record.name;
        params.deployment_description = record.description.value_or("");
        auto schema = simple_schema;
        schema["openapi"] = openapi::build_openapi(plan->document, plan->fields, params);
        record.schema = std::move(schema);
        try {
            co_await app.blocking.run([&app, &record] { app.store.insert_deployment(record); });
            stored = true;
        } catch (const storage::ConflictError&) {
            if (!generated_slug) {
                throw ApiError(409, "Slug already in use",
                               "The slug '" + record.slug +
                                   "' is already taken; choose another slug or omit it to "
                                   "generate one from the name");
            }
        }
    }
    if (!stored) {
        throw ApiError(409, "Slug already in use",
                       "No free slug derived from '" + base_slug + "'; pass an explicit slug");
    }

    auto validator = openapi::InputValidator::from_schema(simple_schema.at("input").as_object());
    auto cached = record;
    cached.workflow = nullptr;
    app.deployments.put(std::make_shared<const service::DeployedWorkflow>(
        service::DeployedWorkflow{std::move(cached), plan, std::move(validator)}));
    spdlog::info("deployed workflow '{}' as /{} ({} nodes)", record.name, record.slug,
                 plan->nodes.size());

    json::object deployment{
        {"id", record.id},
        {"name", record.name},
        {"slug", record.slug},
        {"description", record.description ? json::value(*record.description) : json::value(nullptr)},
        {"endpoint", endpoint_url(app, record.slug)},
        {"apiKey", key.key},
        {"schema", simple_schema},
        {"docs", docs_url(app, record.slug)},
        {"createdAt", util::iso8601_ms(record.created_at_ms)},
    };
    co_return json_response(
        201, json::object{{"success", true},
                          {"deployment", std::move(deployment)},
                          {"warnings", to_array(compiled.diag.warnings)},
                          {"message", "Workflow deployed successfully. Save the API key - it will "
                                      "not be shown again!"}});
}

}  // namespace clara::api
