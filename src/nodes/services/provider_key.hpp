#pragma once

// Which credential a service node sends (nodes.md § 0.2, secret hygiene): a key written into
// the node goes to the node's own URL; a key held by the server goes only to its provider.

#include <string>
#include <string_view>

#include "config/service_settings.hpp"

namespace clara::nodes {

/// The OpenAI key for a call to `url`: `node_key` when it is not blank; else the server's
/// OPENAI_API_KEY when `url` has the origin of OPENAI_API_BASE_URL or of api.openai.com;
/// else "".
std::string openai_key_for(const config::ServiceSettings& settings,
                           std::string_view node_key,
                           std::string_view url);

}  // namespace clara::nodes
