#pragma once

#include "http/message.hpp"

#include <string_view>

namespace clara::http {

/// Splits a request target into the percent-decoded path and the decoded query pairs ('+' as a
/// space) of `request`. False for a target the server must refuse (not origin-form, fragment,
/// malformed encoding). Untrusted input: the fuzz target http_request_fuzzer exercises it.
bool parse_request_target(std::string_view target, Request& request);

}  // namespace clara::http
