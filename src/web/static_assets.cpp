#include "web/static_assets.hpp"

#include "util/crypto.hpp"
#include "util/embedded_files.hpp"
#include "web/content_type.hpp"

#include <array>
#include <stdexcept>

namespace clara::web {
namespace {

namespace paths = asset_paths;

// Each embedded path must also be listed in cmake/embed_files.cmake.
constexpr std::array<AssetSource, 9> kBuiltinSources{{
    {paths::kSwaggerCss, "node_modules/swagger-ui-dist/swagger-ui.css"},
    {paths::kSwaggerBundle, "node_modules/swagger-ui-dist/swagger-ui-bundle.js"},
    {paths::kSwaggerPreset, "node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js"},
    {paths::kFavicon, "node_modules/swagger-ui-dist/favicon-32x32.png"},
    {"/assets/swagger-ui/favicon-16x16.png", "node_modules/swagger-ui-dist/favicon-16x16.png"},
    {paths::kDocsJs, "web/docs/docs.js"},
    {paths::kDocsCss, "web/docs/docs.css"},
    {paths::kDashboardJs, "web/dashboard/dashboard.js"},
    {paths::kDashboardCss, "web/dashboard/dashboard.css"},
}};

constexpr std::size_t kVersionLength = 16;  // 64 bits of the hash: plenty to tell versions apart

}  // namespace

std::string StaticAsset::versioned_url() const {
    return url_path + "?v=" + version;
}

AssetTable AssetTable::from_embedded(std::span<const AssetSource> sources) {
    AssetTable table;
    table.assets_.reserve(sources.size());
    for (const auto& source : sources) {
        const auto bytes = util::find_embedded_file(source.embedded_path);
        if (!bytes) {
            throw std::runtime_error("asset " + std::string(source.url_path) +
                                     ": file not embedded: " + std::string(source.embedded_path));
        }
        StaticAsset asset;
        asset.url_path = std::string(source.url_path);
        asset.content_type = std::string(content_type_for(source.embedded_path));
        asset.bytes = *bytes;
        asset.version = util::sha256_hex(*bytes).substr(0, kVersionLength);
        asset.etag = "\"" + asset.version + "\"";
        table.assets_.push_back(std::move(asset));
    }
    return table;
}

const AssetTable& AssetTable::builtin() {
    static const AssetTable table = from_embedded(kBuiltinSources);
    return table;
}

const StaticAsset* AssetTable::find(std::string_view url_path) const {
    for (const auto& asset : assets_) {
        if (asset.url_path == url_path) {
            return &asset;
        }
    }
    return nullptr;
}

const StaticAsset& AssetTable::at(std::string_view url_path) const {
    if (const auto* asset = find(url_path)) {
        return *asset;
    }
    throw std::out_of_range("no asset at " + std::string(url_path));
}

std::span<const AssetSource> builtin_asset_sources() {
    return kBuiltinSources;
}

}  // namespace clara::web
