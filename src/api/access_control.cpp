#include "api/access_control.hpp"

#include "api/api_error.hpp"
#include "service/api_key.hpp"
#include "util/crypto.hpp"

namespace clara::api {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

std::string client_ip(const AppContext& app, const http::Request& request) {
    if (app.settings.trust_proxy && request.has_header("X-Forwarded-For")) {
        const auto forwarded = request.header("X-Forwarded-For");
        const auto comma = forwarded.rfind(',');
        const auto last = trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1));
        if (!last.empty()) {
            return std::string(last);
        }
    }
    return request.client_address;
}

bool is_loopback(std::string_view ip) {
    constexpr std::string_view kMapped = "::ffff:";
    if (ip.substr(0, kMapped.size()) == kMapped) {
        ip.remove_prefix(kMapped.size());
    }
    return ip == "::1" || ip.substr(0, 4) == "127.";
}

bool has_admin_key(const AppContext& app, const http::Request& request) {
    const auto& admin = app.settings.admin_api_key;
    if (admin.empty() || !request.has_header("Authorization")) {
        return false;
    }
    return util::constant_time_equals(service::key_from_authorization(request.header("Authorization")),
                                      admin);
}

void require_management_access(const AppContext& app, const http::Request& request) {
    if (app.settings.admin_api_key.empty()) {
        if (!is_loopback(client_ip(app, request))) {
            throw ApiError(403, "Access denied",
                           "Management routes are open to local clients only while no "
                           "ADMIN_API_KEY is configured; set ADMIN_API_KEY on the server and send "
                           "'Authorization: Bearer <ADMIN_API_KEY>'");
        }
        return;
    }
    if (!request.has_header("Authorization")) {
        throw ApiError(401, "Missing Authorization header",
                       "Send the administrator key as 'Authorization: Bearer <ADMIN_API_KEY>'");
    }
    if (!has_admin_key(app, request)) {
        throw ApiError(403, "Access denied", "This route needs the administrator key (ADMIN_API_KEY)");
    }
}

}  // namespace clara::api
