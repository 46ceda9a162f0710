#pragma once

#include <string_view>

namespace clara::web {

/// The Content-Type for a file name by its extension (text types with `charset=utf-8`);
/// `application/octet-stream` for unknown extensions.
std::string_view content_type_for(std::string_view file_name);

}  // namespace clara::web
