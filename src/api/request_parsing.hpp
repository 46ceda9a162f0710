#pragma once

#include "http/message.hpp"
#include "storage/store.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace clara::api {

/// The request body as a JSON object; an empty body is `{}`. Throws ApiError 400 for
/// malformed JSON or another JSON type, 415 for a non-JSON content type.
boost::json::object parse_json_object_body(const http::Request& request);

struct Pagination {
    int limit = 0;
    int offset = 0;
};

/// `limit` and `offset` from the query (deployment-api.md § 6.3, digits only). Throws ApiError 400
/// listing every problem.
Pagination parse_pagination(const http::Request& request, int default_limit, int max_limit = 1000);

/// A page of a listing that pages by offset or by keyset.
struct KeysetPagination {
    int limit = 0;
    int offset = 0;                                 ///< 0 whenever `after` is set
    std::optional<storage::ExecutionCursor> after;  ///< from `cursor`; none on a first page
};

/// `limit`, `offset` and `cursor` (execution_cursor.hpp) of the execution listing. Throws
/// ApiError 400 listing every problem: the parse_pagination() ones, a malformed cursor, a cursor
/// together with a non-zero offset.
KeysetPagination parse_keyset_pagination(const http::Request& request, int default_limit,
                                         int max_limit = 1000);

/// The `{slug}` route parameter; throws ApiError 400 "Invalid slug format" when malformed.
std::string_view require_slug(const http::Request& request);

/// The `{id}` route parameter; throws ApiError 400 "Invalid UUID format" when not a UUID.
std::string_view require_uuid(const http::Request& request);

}  // namespace clara::api
