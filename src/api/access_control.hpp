#pragma once

#include "api/app_context.hpp"
#include "http/message.hpp"

#include <string>
#include <string_view>

namespace clara::api {

/// The client's IP: the peer address, or with TRUST_PROXY the last X-Forwarded-For entry
/// (the one the trusted proxy appended).
std::string client_ip(const AppContext& app, const http::Request& request);

/// Whether `ip` is a loopback address (127.0.0.0/8, ::1, or IPv4-mapped loopback).
bool is_loopback(std::string_view ip);

/// Whether the request carries ADMIN_API_KEY (compared in constant time).
bool has_admin_key(const AppContext& app, const http::Request& request);

/// Management routes (deploy, list): with ADMIN_API_KEY set they need it; without one they are
/// open to loopback clients only (DECISIONS.md § 2). Throws ApiError 401/403.
void require_management_access(const AppContext& app, const http::Request& request);

}  // namespace clara::api
