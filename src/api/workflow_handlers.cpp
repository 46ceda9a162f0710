// Deployment management: list, details, schema, delete, regenerate-key.
#include "api/access_control.hpp"
#include "api/api_error.hpp"
#include "api/handlers.hpp"
#include "api/request_parsing.hpp"
#include "api/workflow_auth.hpp"
#include "openapi/openapi_builder.hpp"
#include "service/api_key.hpp"
#include "util/json_text.hpp"
#include "util/time_format.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace clara::api {
namespace json = boost::json;

namespace {

json::value optional_time(const std::optional<std::int64_t>& ms) {
    return ms ? json::value(util::iso8601_ms(*ms)) : json::value(nullptr);
}

json::value optional_text(const std::optional<std::string>& text) {
    return text ? json::value(*text) : json::value(nullptr);
}

boost::asio::awaitable<service::DeployedWorkflowPtr> require_active(AppContext& app,
                                                                    std::string slug) {
    auto deployment = co_await find_deployment(app, service::DeploymentKey::kSlug, slug);
    if (deployment == nullptr) {
        throw ApiError(404, "Workflow not found",
                       "No active workflow has the slug '" + slug + "'");
    }
    co_return deployment;
}

}  // namespace

Awaitable handle_list_deployments(AppContext& app, http::Request& request) {
    require_management_access(app, request);
    const auto page = parse_pagination(request, 100);
    storage::DeploymentQuery query;
    query.limit = page.limit + 1;  // one more tells whether another page exists
    query.offset = page.offset;
    if (const auto user = request.query_param("userId")) {
        query.user_id = std::string(*user);
    }
    query.include_inactive = request.query_param("includeInactive") == std::optional<std::string_view>("true");
    auto rows = co_await app.blocking.run([&app, &query] { return app.store.list_deployments(query); });
    const bool has_more = rows.size() > static_cast<std::size_t>(page.limit);
    if (has_more) {
        rows.pop_back();
    }
    json::array items;
    for (const auto& row : rows) {
        const auto& d = row.deployment;
        items.push_back(json::object{
            {"id", d.id},
            {"name", d.name},
            {"slug", d.slug},
            {"description", optional_text(d.description)},
            {"endpoint", endpoint_url(app, d.slug)},
            {"docs", docs_url(app, d.slug)},
            {"executionCount", row.stats.execution_count},
            {"successCount", row.stats.success_count},
            {"lastExecuted", optional_time(row.stats.last_executed_at_ms)},
            {"avgDurationMs", row.stats.avg_duration_ms ? json::value(*row.stats.avg_duration_ms)
                                                         : json::value(nullptr)},
            {"createdAt", util::iso8601_ms(d.created_at_ms)},
            {"isActive", d.is_active},
        });
    }
    co_return json_response(
        200, json::object{{"success", true},
                          {"deployments", std::move(items)},
                          {"pagination", json::object{{"limit", page.limit},
                                                      {"offset", page.offset},
                                                      {"hasMore", has_more}}}});
}

Awaitable handle_get_workflow(AppContext& app, http::Request& request) {
    const auto deployment = co_await require_active(app, std::string(require_slug(request)));
    const auto& d = deployment->record;
    const auto stats = co_await app.blocking.run([&app, &d] { return app.store.deployment_stats(d.id); });
    auto schema = d.schema;
    if (auto* openapi = schema.as_object().if_contains("openapi"); openapi && openapi->is_object()) {
        openapi::set_server_url(openapi->as_object(), app.settings.base_url);
    }
    json::object workflow{
        {"id", d.id},
        {"name", d.name},
        {"slug", d.slug},
        {"description", optional_text(d.description)},
        {"endpoint", endpoint_url(app, d.slug)},
        {"docs", docs_url(app, d.slug)},
        {"schema", std::move(schema)},
        {"executionCount", stats.execution_count},
        {"lastExecuted", optional_time(stats.last_executed_at_ms)},
        {"createdAt", util::iso8601_ms(d.created_at_ms)},
        {"updatedAt", util::iso8601_ms(d.updated_at_ms)},
    };
    co_return json_response(200, json::object{{"success", true}, {"workflow", std::move(workflow)}});
}

Awaitable handle_get_schema(AppContext& app, http::Request& request) {
    const auto deployment = co_await require_active(app, std::string(require_slug(request)));
    const auto* stored = deployment->record.schema.as_object().if_contains("openapi");
    if (stored == nullptr || !stored->is_object()) {
        throw ApiError(500, "Failed to get schema",
                       "The stored deployment has no OpenAPI document; redeploy the workflow");
    }
    auto document = stored->get_object();
    openapi::set_server_url(document, app.settings.base_url);
    co_return json_response(200, document);
}

Awaitable handle_delete_workflow(AppContext& app, http::Request& request) {
    const auto id = std::string(require_uuid(request));
    const auto deployment = co_await authenticate_workflow_key(app, request, KeyBinding::kId, id,
                                                               AdminAccess::kAllowed);
    const bool deleted = co_await app.blocking.run([&app, &id] { return app.store.deactivate_deployment(id); });
    if (!deleted) {
        throw ApiError(404, "Workflow not found", "No active workflow has the id '" + id + "'");
    }
    app.deployments.remove(id);
    spdlog::info("deleted workflow /{}", deployment->record.slug);
    co_return json_response(
        200, json::object{{"success", true},
                          {"message", "Workflow deleted successfully"},
                          {"workflow", json::object{{"id", id}, {"slug", deployment->record.slug}}}});
}

Awaitable handle_regenerate_key(AppContext& app, http::Request& request) {
    const auto id = std::string(require_uuid(request));
    const auto deployment = co_await authenticate_workflow_key(app, request, KeyBinding::kId, id,
                                                               AdminAccess::kAllowed);
    const auto key = service::generate_api_key();
    const bool replaced = co_await app.blocking.run(
        [&app, &id, &key] { return app.store.replace_api_key_hash(id, key.hash); });
    if (!replaced) {
        throw ApiError(404, "Workflow not found", "No active workflow has the id '" + id + "'");
    }
    app.deployments.put(service::with_key_hash(*deployment, key.hash));
    co_return json_response(
        200, json::object{{"success", true},
                          {"message", "API key regenerated successfully. Save it - it will not be "
                                      "shown again!"},
                          {"workflow", json::object{{"id", id},
                                                    {"slug", deployment->record.slug},
                                                    {"apiKey", key.key}}}});
}

}  // namespace clara::api
