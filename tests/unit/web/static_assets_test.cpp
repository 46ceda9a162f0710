#include "web/static_assets.hpp"

#include "util/crypto.hpp"
#include "util/embedded_files.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

namespace clara::web {
namespace {

TEST(StaticAssets, BuiltinTableHoldsEverySourceWithItsEmbeddedBytes) {
    const auto& table = AssetTable::builtin();
    ASSERT_EQ(table.assets().size(), builtin_asset_sources().size());
    for (const auto& source : builtin_asset_sources()) {
        const auto* asset = table.find(source.url_path);
        ASSERT_NE(asset, nullptr) << source.url_path;
        EXPECT_EQ(asset->bytes, util::find_embedded_file(source.embedded_path).value());
        EXPECT_FALSE(asset->bytes.empty()) << source.url_path;
    }
}

TEST(StaticAssets, EmbedsSwaggerUiFromThePinnedPackage) {
    const auto& table = AssetTable::builtin();
    const auto& bundle = table.at(asset_paths::kSwaggerBundle);
    // The bundle defines the global the docs page script calls.
    EXPECT_NE(bundle.bytes.find("SwaggerUIBundle"), std::string_view::npos);
    EXPECT_GT(bundle.bytes.size(), 500'000u);
    EXPECT_NE(table.at(asset_paths::kSwaggerPreset).bytes.find("SwaggerUIStandalonePreset"),
              std::string_view::npos);
    EXPECT_NE(table.at(asset_paths::kSwaggerCss).bytes.find(".swagger-ui"), std::string_view::npos);
    // PNG signature: binary files are embedded byte for byte, NULs included.
    EXPECT_EQ(table.at(asset_paths::kFavicon).bytes.substr(0, 8),
              std::string_view("\x89PNG\r\n\x1a\n", 8));
}

TEST(StaticAssets, ServesEveryAssetUnderTheAssetsPrefixWithAKnownType) {
    for (const auto& asset : AssetTable::builtin().assets()) {
        EXPECT_EQ(asset.url_path.rfind("/assets/", 0), 0u) << asset.url_path;
        EXPECT_NE(asset.content_type, "application/octet-stream") << asset.url_path;
    }
    const auto& table = AssetTable::builtin();
    EXPECT_EQ(table.at(asset_paths::kDashboardJs).content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(table.at(asset_paths::kDocsCss).content_type, "text/css; charset=utf-8");
    EXPECT_EQ(table.at(asset_paths::kFavicon).content_type, "image/png");
}

TEST(StaticAssets, VersionAndEtagComeFromTheContentHash) {
    for (const auto& asset : AssetTable::builtin().assets()) {
        EXPECT_EQ(asset.version, util::sha256_hex(asset.bytes).substr(0, 16)) << asset.url_path;
        EXPECT_EQ(asset.etag, "\"" + asset.version + "\"");
        EXPECT_EQ(asset.versioned_url(), asset.url_path + "?v=" + asset.version);
    }
}

TEST(StaticAssets, DifferentContentGetsDifferentVersions) {
    std::set<std::string> versions;
    for (const auto& asset : AssetTable::builtin().assets()) {
        versions.insert(asset.version);
    }
    EXPECT_EQ(versions.size(), AssetTable::builtin().assets().size());
}

TEST(StaticAssets, FindIgnoresUnknownPathsAndAtThrows) {
    const auto& table = AssetTable::builtin();
    EXPECT_EQ(table.find("/assets/nope.js"), nullptr);
    EXPECT_EQ(table.find("/assets/swagger-ui/"), nullptr);
    EXPECT_THROW(table.at("/assets/nope.js"), std::out_of_range);
}

TEST(StaticAssets, FromEmbeddedRefusesASourceThatIsNotEmbedded) {
    const AssetSource sources[] = {{"/assets/ghost.js", "web/ghost.js"}};
    try {
        AssetTable::from_embedded(sources);
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("web/ghost.js"), std::string::npos);
    }
}

}  // namespace
}  // namespace clara::web
