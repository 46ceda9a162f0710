#pragma once

#include "api/app_context.hpp"
#include "http/router.hpp"
#include "service/deployment_directory.hpp"

#include <string_view>

namespace clara::web {

/// Registers the pages and documents for people: the dashboard (`/`, `/dashboard`), the
/// Swagger UI pages (`/api/docs`, `/api/workflows/{slug}/docs`), the runner's OpenAPI document
/// (`/api/openapi.json`) and every static asset under `/assets/`.
void add_web_routes(http::Router& router, api::AppContext& app);

/// Same, from the only parts these routes read: the deployments (for workflow names) and
/// BASE_URL (for the OpenAPI document's server). `deployments` must outlive the router.
void add_web_routes(http::Router& router, service::DeploymentDirectory& deployments,
                    std::string_view base_url);

}  // namespace clara::web
