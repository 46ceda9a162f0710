#include "http/message.hpp"

#include "util/json_text.hpp"

#include <algorithm>
#include <cctype>

namespace clara::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) {
            return value;
        }
    }
    return {};
}

bool Request::has_header(std::string_view name) const {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& field) { return iequals(field.first, name); });
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) {
            return std::string_view{value};
        }
    }
    return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
    for (const auto& [key, value] : params) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

Response Response::json(unsigned status, const boost::json::value& value) {
    Response response;
    response.status = status;
    response.content_type = "application/json";
    response.body = util::to_json_text(value);
    return response;
}

Response Response::text(unsigned status, std::string content_type, std::string body) {
    Response response;
    response.status = status;
    response.content_type = std::move(content_type);
    response.body = std::move(body);
    return response;
}

void Response::set_header(std::string name, std::string value) {
    // Header names are case-insensitive, so "x-foo" replaces "X-Foo".
    auto it = std::find_if(headers.begin(), headers.end(),
                           [&](const auto& field) { return iequals(field.first, name); });
    if (it != headers.end()) {
        it->first = std::move(name);
        it->second = std::move(value);
    } else {
        headers.emplace_back(std::move(name), std::move(value));
    }
}

}  // namespace clara::http
