#pragma once

#include <string>
#include <string_view>

namespace clara::web {

/// `text` safe inside HTML element content and quoted attribute values: `& < > " '` become
/// character references; everything else, including non-ASCII UTF-8, is kept as is.
std::string html_escape(std::string_view text);

}  // namespace clara::web
