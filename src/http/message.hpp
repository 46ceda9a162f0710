#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clara::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// An HTTP request as handlers see it; the transport (Beast) stays inside http/server.cpp.
struct Request {
    std::string method;  ///< upper case, e.g. "POST"
    std::string target;  ///< raw request target, e.g. "/api/x?limit=5"
    std::string path;    ///< percent-decoded path without the query
    std::vector<std::pair<std::string, std::string>> query;   ///< decoded, in order
    HeaderList headers;                                       ///< names as received
    std::vector<std::pair<std::string, std::string>> params;  ///< route parameters
    std::string body;
    std::string client_address;  ///< peer IP as text
    std::string request_id;

    /// First header with this name (case-insensitive); empty when absent.
    std::string_view header(std::string_view name) const;
    bool has_header(std::string_view name) const;
    /// First query parameter with this name.
    std::optional<std::string_view> query_param(std::string_view name) const;
    /// Route parameter captured by a `{name}` segment; empty when absent.
    std::string_view param(std::string_view name) const;
};

/// A complete response; only the server writes it to the socket.
struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    HeaderList headers;

    /// A JSON response; `value` is serialised once here.
    static Response json(unsigned status, const boost::json::value& value);
    /// A response with a given content type and body.
    static Response text(unsigned status, std::string content_type, std::string body);

    void set_header(std::string name, std::string value);
};

}  // namespace clara::http
