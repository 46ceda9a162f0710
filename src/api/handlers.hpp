#pragma once

#include "api/app_context.hpp"
#include "http/message.hpp"

#include <boost/asio/awaitable.hpp>

namespace clara::api {

using Awaitable = boost::asio::awaitable<http::Response>;

/// One function per route; routes.cpp binds them to paths.
Awaitable handle_health(AppContext& app, http::Request& request);
Awaitable handle_info(AppContext& app, http::Request& request);
Awaitable handle_deploy(AppContext& app, http::Request& request);
Awaitable handle_list_deployments(AppContext& app, http::Request& request);
Awaitable handle_get_workflow(AppContext& app, http::Request& request);
Awaitable handle_get_schema(AppContext& app, http::Request& request);
Awaitable handle_execute(AppContext& app, http::Request& request);
Awaitable handle_list_executions(AppContext& app, http::Request& request);
Awaitable handle_delete_workflow(AppContext& app, http::Request& request);
Awaitable handle_regenerate_key(AppContext& app, http::Request& request);

/// `<BASE_URL>/api/workflows/<slug>/execute` and `.../docs`.
std::string endpoint_url(const AppContext& app, std::string_view slug);
std::string docs_url(const AppContext& app, std::string_view slug);

}  // namespace clara::api
