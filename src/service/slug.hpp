#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace clara::service {

/// Longest slug generated from a name (a caller-chosen slug may be longer, up to 255).
inline constexpr std::size_t kMaxGeneratedSlugLength = 50;

/// The slug generated from a deployment name (deployment-api.md § 5.3): JavaScript-style
/// lower-casing, runs outside [a-z0-9] become '-', trimmed and cut to 50 characters. A name with
/// no ASCII letter or digit yields `workflow-<8 random hex>`. Uniqueness is the caller's concern.
std::string slug_from_name(std::string_view name);

/// Whether `slug` matches ^[a-z0-9-]+$ and is at most 255 characters long.
bool is_valid_slug(std::string_view slug);

}  // namespace clara::service
