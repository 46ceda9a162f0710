#include "web/content_type.hpp"

#include <gtest/gtest.h>

namespace clara::web {
namespace {

TEST(ContentType, NamesTextTypesWithUtf8Charset) {
    EXPECT_EQ(content_type_for("web/dashboard/index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("swagger-ui.css"), "text/css; charset=utf-8");
    EXPECT_EQ(content_type_for("node_modules/x/swagger-ui-bundle.js"),
              "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("runner-api.json"), "application/json; charset=utf-8");
}

TEST(ContentType, NamesBinaryTypesWithoutCharset) {
    EXPECT_EQ(content_type_for("favicon-32x32.png"), "image/png");
    EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
    EXPECT_EQ(content_type_for("favicon.ico"), "image/x-icon");
}

TEST(ContentType, IgnoresTheCaseOfTheExtension) {
    EXPECT_EQ(content_type_for("PAGE.HTML"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("Image.Png"), "image/png");
}

TEST(ContentType, FallsBackToOctetStreamForUnknownOrMissingExtensions) {
    EXPECT_EQ(content_type_for("archive.tar.zst"), "application/octet-stream");
    EXPECT_EQ(content_type_for("README"), "application/octet-stream");
    EXPECT_EQ(content_type_for("trailing."), "application/octet-stream");
    // A dot in a folder name is not an extension.
    EXPECT_EQ(content_type_for("web.d/README"), "application/octet-stream");
}

}  // namespace
}  // namespace clara::web
