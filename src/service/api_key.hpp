#pragma once

#include <string>
#include <string_view>

namespace clara::service {

/// Workflow API keys (deployment-api.md § 5.1): `clara_sk_` + 64 hex characters from the CSPRNG.
/// Only the SHA-256 of a key is ever stored.

inline constexpr std::string_view kApiKeyPrefix = "clara_sk_";

struct GeneratedKey {
    std::string key;   ///< shown once to the caller
    std::string hash;  ///< stored
};

GeneratedKey generate_api_key();

/// Lower-case hex SHA-256 of the key.
std::string hash_api_key(std::string_view key);

/// The key carried by an Authorization header: `Bearer <key>` (scheme case-insensitive) or the
/// raw key, trimmed.
std::string_view key_from_authorization(std::string_view header);

/// Whether `key` looks like a workflow key (prefix `clara_sk_`).
bool has_api_key_format(std::string_view key);

}  // namespace clara::service
