#include "util/base64.hpp"

#include <gtest/gtest.h>

namespace clara::util {
namespace {

TEST(Base64, RoundTripsAllTailLengths) {
    for (const std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        const auto encoded = base64_encode(text);
        const auto decoded = base64_decode(encoded);
        ASSERT_TRUE(decoded.has_value()) << encoded;
        EXPECT_EQ(*decoded, text);
    }
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
}

TEST(Base64, RejectsInvalidText) {
    EXPECT_FALSE(base64_decode("Zm9v!").has_value());
    EXPECT_FALSE(base64_decode("Z").has_value());
    EXPECT_FALSE(base64_decode("Zm8=Zm8=").has_value());
    EXPECT_FALSE(base64_decode("Zm===").has_value());
}

TEST(Base64, AcceptsMissingPaddingAndWhitespace) {
    EXPECT_EQ(base64_decode("Zm8").value(), "fo");
    EXPECT_EQ(base64_decode("Zm9v\nYmFy").value(), "foobar");
}

TEST(Base64, ParsesDataUrls) {
    const auto url = parse_data_url("data:image/png;base64,iVBORw0KGgo=");
    ASSERT_TRUE(url.has_value());
    EXPECT_EQ(url->mime, "image/png");
    EXPECT_EQ(url->payload, "iVBORw0KGgo=");
    EXPECT_FALSE(parse_data_url("iVBORw0KGgo=").has_value());
    EXPECT_FALSE(parse_data_url("data:text/plain,hello").has_value());
}

}  // namespace
}  // namespace clara::util
