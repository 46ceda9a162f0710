#include "api/api_error.hpp"

#include "util/json_text.hpp"
#include "util/time_format.hpp"

namespace clara::api {

ApiError::ApiError(unsigned status, std::string error, std::string message,
                   boost::json::object extra, http::HeaderList headers)
    : std::runtime_error(error + ": " + message),
      status_(status),
      error_(std::move(error)),
      message_(std::move(message)),
      extra_(std::move(extra)),
      headers_(std::move(headers)) {}

http::Response error_response(unsigned status, std::string_view error, std::string_view message,
                              const boost::json::object& extra) {
    boost::json::object body{{"success", false}, {"error", error}};
    if (!message.empty()) {
        body["message"] = message;
    }
    for (const auto& member : extra) {
        body[member.key()] = member.value();
    }
    body["timestamp"] = util::iso8601_ms(util::now_ms());
    return json_response(status, body);
}

http::Response error_response(const ApiError& error) {
    auto response = error_response(error.status(), error.error(), error.message(), error.extra());
    for (const auto& [name, value] : error.headers()) {
        response.set_header(name, value);
    }
    return response;
}

http::Response json_response(unsigned status, const boost::json::value& body) {
    http::Response response;
    response.status = status;
    response.content_type = "application/json; charset=utf-8";
    response.body = util::to_json_text(body);
    return response;
}

}  // namespace clara::api
