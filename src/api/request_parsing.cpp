#include "api/request_parsing.hpp"

#include "api/api_error.hpp"
#include "api/execution_cursor.hpp"
#include "service/slug.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <charconv>

namespace clara::api {
namespace json = boost::json;

json::object parse_json_object_body(const http::Request& request) {
    const auto content_type = request.header("Content-Type");
    if (!request.body.empty() && !content_type.empty() &&
        content_type.find("json") == std::string_view::npos) {
        throw ApiError(415, "Unsupported media type",
                       "Send the body as JSON with 'Content-Type: application/json'");
    }
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return {};
    }
    json::error_code ec;
    json::parse_options options;
    options.max_depth = 64;  // deeper documents are refused rather than recursed into
    auto value = json::parse(request.body, ec, {}, options);
    if (ec) {
        throw ApiError(400, "Invalid JSON body",
                       "The request body is not valid JSON (" + ec.message() +
                           "); send a JSON object");
    }
    if (!value.is_object()) {
        throw ApiError(400, "Invalid JSON body", "The request body must be a JSON object");
    }
    return std::move(value.get_object());
}

namespace {

/// Strict decimal parse: digits only, no sign, no trailing text.
std::optional<long long> parse_digits(std::string_view text) {
    if (text.empty() || text.size() > 12) {
        return std::nullopt;
    }
    long long value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.front() == '-' ||
        text.front() == '+') {
        return std::nullopt;
    }
    return value;
}

/// Reads `limit` and `offset` into `page`, adding what is wrong to `problems`.
void read_limit_and_offset(const http::Request& request, int max_limit, Pagination& page,
                           json::array& problems) {
    if (const auto limit = request.query_param("limit")) {
        const auto value = parse_digits(*limit);
        if (!value || *value < 1) {
            problems.push_back("limit must be a positive integer");
        } else if (*value > max_limit) {
            problems.push_back(json::string("limit must be " + std::to_string(max_limit) + " or less"));
        } else {
            page.limit = static_cast<int>(*value);
        }
    }
    if (const auto offset = request.query_param("offset")) {
        const auto value = parse_digits(*offset);
        if (!value || *value > 1000000000) {
            problems.push_back("offset must be a non-negative integer");
        } else {
            page.offset = static_cast<int>(*value);
        }
    }
}

[[noreturn]] void throw_query_problems(json::array problems) {
    throw ApiError(400, "Validation failed", "Fix the query parameters listed in validationErrors",
                   json::object{{"validationErrors", std::move(problems)}});
}

}  // namespace

Pagination parse_pagination(const http::Request& request, int default_limit, int max_limit) {
    Pagination page{default_limit, 0};
    json::array problems;
    read_limit_and_offset(request, max_limit, page, problems);
    if (!problems.empty()) {
        throw_query_problems(std::move(problems));
    }
    return page;
}

KeysetPagination parse_keyset_pagination(const http::Request& request, int default_limit,
                                         int max_limit) {
    Pagination page{default_limit, 0};
    json::array problems;
    read_limit_and_offset(request, max_limit, page, problems);
    KeysetPagination result{page.limit, page.offset, std::nullopt};
    if (const auto cursor = request.query_param("cursor")) {
        result.after = decode_execution_cursor(*cursor);
        if (!result.after) {
            problems.push_back(
                "cursor is not valid: pass pagination.nextCursor of the previous page unchanged, "
                "or start again from the first page without cursor");
        }
        // offset=0 may be carried over from the first page; any other offset on top of a
        // cursor would skip rows.
        if (page.offset != 0) {
            problems.push_back(
                "use either cursor or offset, not both: follow pagination.nextCursor with cursor "
                "alone, or page with offset alone");
        }
        result.offset = 0;
    }
    if (!problems.empty()) {
        throw_query_problems(std::move(problems));
    }
    return result;
}

std::string_view require_slug(const http::Request& request) {
    const auto slug = request.param("slug");
    if (!service::is_valid_slug(slug)) {
        throw ApiError(400, "Invalid slug format",
                       "Parameter 'slug' must contain only lowercase letters, numbers, and hyphens");
    }
    return slug;
}

std::string_view require_uuid(const http::Request& request) {
    const auto id = request.param("id");
    bool valid = id.size() == 36;
    for (std::size_t i = 0; valid && i < id.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        valid = dash ? id[i] == '-' : std::isxdigit(static_cast<unsigned char>(id[i])) != 0;
    }
    if (!valid) {
        throw ApiError(400, "Invalid UUID format", "Parameter 'id' must be a valid UUID");
    }
    return id;
}

}  // namespace clara::api
