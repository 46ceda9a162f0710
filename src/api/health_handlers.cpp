// GET /health and GET /api/info.
#include "api/api_error.hpp"
#include "api/handlers.hpp"
#include "util/time_format.hpp"

#include <boost/json.hpp>

namespace clara::api {
namespace json = boost::json;

std::string endpoint_url(const AppContext& app, std::string_view slug) {
    return app.settings.base_url + "/api/workflows/" + std::string(slug) + "/execute";
}

std::string docs_url(const AppContext& app, std::string_view slug) {
    return app.settings.base_url + "/api/workflows/" + std::string(slug) + "/docs";
}

Awaitable handle_health(AppContext& app, http::Request&) {
    bool connected = false;
    try {
        connected = co_await app.blocking.run([&app] { return app.store.ping(); });
    } catch (const std::exception&) {
        connected = false;
    }
    const auto& s = app.settings;
    const auto now = util::now_ms();
    json::object body{
        {"status", connected ? "healthy" : "degraded"},
        {"service", "Clara Agent Runner"},
        {"version", "1.0.0"},
        {"timestamp", util::iso8601_ms(now)},
        {"uptime", std::to_string((now - app.started_at_ms) / 1000) + "s"},
        {"database", connected ? "connected" : "disconnected"},
        {"config",
         json::object{
             {"server", json::object{{"port", s.port}, {"env", s.node_env}, {"baseUrl", s.base_url}}},
             {"database", json::object{{"backend", s.database_url.rfind("postgres", 0) == 0
                                                       ? "postgresql"
                                                       : "sqlite"}}},
             {"execution",
              json::object{{"maxExecutionTime", std::to_string(s.max_execution_time.count()) + "ms"},
                           {"maxConcurrentExecutions", s.max_concurrent_executions}}},
             {"rateLimit", json::object{{"enabled", s.rate_limit_enabled},
                                        {"maxRequests", s.rate_limit_max_requests}}},
         }},
        {"executions", json::object{{"running", app.gate.running()},
                                    {"queued", app.gate.queued()},
                                    {"limit", s.max_concurrent_executions}}},
        {"deploymentCache", json::object{{"size", app.deployments.cache().size()},
                                         {"capacity", app.deployments.cache().capacity()}}},
    };
    co_return json_response(connected ? 200 : 503, body);
}

Awaitable handle_info(AppContext& app, http::Request&) {
    json::object body{
        {"service", "Clara Agent Runner API"},
        {"version", "1.0.0"},
        {"description",
         "Deploys Agent Studio workflows as REST APIs with generated OpenAPI schemas and keys"},
        {"features", json::array{"Deploy Agent Studio workflows (native, SDK and template exports)",
                                 "Per-workflow API keys, shown once and stored hashed",
                                 "Generated OpenAPI 3.0 schema per workflow",
                                 "Validated inputs and typed outputs",
                                 "Execution history for every run",
                                 "Embedded SQLite by default, PostgreSQL for production"}},
        {"endpoints",
         json::object{
             {"POST /api/deploy", "Deploy a workflow; returns its endpoint and API key"},
             {"GET /api/deployments", "List active deployments"},
             {"GET /api/workflows/:slug", "Workflow details and schema"},
             {"GET /api/workflows/:slug/schema", "OpenAPI 3.0 document of the workflow"},
             {"POST /api/workflows/:slug/execute", "Execute the workflow (API key required)"},
             {"GET /api/workflows/:slug/executions", "Execution history (API key required)"},
             {"DELETE /api/workflows/:id", "Delete a deployment (API key required)"},
             {"POST /api/workflows/:id/regenerate-key", "Replace the API key (API key required)"},
             {"GET /health", "Service and database health"},
             {"GET /api/info", "This description"},
         }},
        {"documentation", app.settings.base_url + "/api/docs"},
    };
    co_return json_response(200, body);
}

}  // namespace clara::api
