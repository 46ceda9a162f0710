#pragma once

#include "http/message.hpp"

#include <boost/json/object.hpp>

#include <stdexcept>
#include <string>

namespace clara::api {

/// A failure to report to the client: the status, the contract's short `error` string, a
/// `message` that says what to fix, and optional extra fields of the body.
/// Internal details go to the log only, never into these fields.
class ApiError : public std::runtime_error {
public:
    ApiError(unsigned status, std::string error, std::string message,
             boost::json::object extra = {}, http::HeaderList headers = {});

    unsigned status() const { return status_; }
    const std::string& error() const { return error_; }
    const std::string& message() const { return message_; }
    const boost::json::object& extra() const { return extra_; }
    /// Response headers that belong to the error (Retry-After, RateLimit-*).
    const http::HeaderList& headers() const { return headers_; }

private:
    unsigned status_;
    std::string error_;
    std::string message_;
    boost::json::object extra_;
    http::HeaderList headers_;
};

/// `{"success": false, "error", "message", ...extra, "timestamp"}` with the given status.
http::Response error_response(unsigned status, std::string_view error, std::string_view message,
                              const boost::json::object& extra = {});

http::Response error_response(const ApiError& error);

/// A JSON response serialised like JSON.stringify (numbers as JavaScript prints them).
http::Response json_response(unsigned status, const boost::json::value& body);

}  // namespace clara::api
