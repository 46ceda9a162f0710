#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace clara::web {

/// Where an embedded file is served: a URL path under /assets/ and the file's path relative to
/// the source tree (as listed in cmake/embed_files.cmake).
struct AssetSource {
    std::string_view url_path;
    std::string_view embedded_path;
};

/// A file served under /assets/: its bytes (compiled into the binary), type and validators.
struct StaticAsset {
    std::string url_path;
    std::string content_type;
    std::string_view bytes;
    std::string version;  ///< first 16 hex digits of the content's SHA-256
    std::string etag;     ///< the version as a strong entity tag, quotes included

    /// `url_path?v=<version>`: names this exact content, so it may be cached as immutable.
    std::string versioned_url() const;
};

/// The static assets by URL path. Built once at start, then read-only.
class AssetTable {
public:
    /// Looks each source up among the embedded files. Throws std::runtime_error naming a
    /// source that is not embedded (a build that forgot to list it).
    static AssetTable from_embedded(std::span<const AssetSource> sources);

    /// The runner's own assets (builtin_asset_sources()), built on first use.
    static const AssetTable& builtin();

    /// The asset at `url_path` (no query), or null.
    const StaticAsset* find(std::string_view url_path) const;

    /// The asset at `url_path`; throws std::out_of_range when there is none.
    const StaticAsset& at(std::string_view url_path) const;

    const std::vector<StaticAsset>& assets() const { return assets_; }

private:
    std::vector<StaticAsset> assets_;
};

/// Swagger UI (from the swagger-ui-dist package), the docs page script and the dashboard files.
std::span<const AssetSource> builtin_asset_sources();

/// URL paths of the built-in assets, named where pages refer to them.
namespace asset_paths {
inline constexpr std::string_view kSwaggerCss = "/assets/swagger-ui/swagger-ui.css";
inline constexpr std::string_view kSwaggerBundle = "/assets/swagger-ui/swagger-ui-bundle.js";
inline constexpr std::string_view kSwaggerPreset =
    "/assets/swagger-ui/swagger-ui-standalone-preset.js";
inline constexpr std::string_view kFavicon = "/assets/swagger-ui/favicon-32x32.png";
inline constexpr std::string_view kDocsJs = "/assets/docs/docs.js";
inline constexpr std::string_view kDocsCss = "/assets/docs/docs.css";
inline constexpr std::string_view kDashboardJs = "/assets/dashboard/dashboard.js";
inline constexpr std::string_view kDashboardCss = "/assets/dashboard/dashboard.css";
}  // namespace asset_paths

}  // namespace clara::web
