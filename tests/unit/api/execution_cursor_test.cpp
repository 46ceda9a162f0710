#include "api/execution_cursor.hpp"

#include "util/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clara::api {
namespace {

/// Unpadded base64url of `plain`, written independently of the codec under test.
std::string base64url(const std::string& plain) {
    std::string text = util::base64_encode(plain);
    while (!text.empty() && text.back() == '=') {
        text.pop_back();
    }
    for (auto& c : text) {
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    return text;
}

constexpr const char* kId = "3f2c1a9e-7b44-4c1d-9a0e-5d6f7e8a9b0c";

TEST(ExecutionCursor, EncodesUnpaddedBase64UrlOfTimeDotId) {
    const storage::ExecutionCursor cursor{1704067200051, kId};
    const auto text = encode_execution_cursor(cursor);
    EXPECT_EQ(text, base64url("1704067200051." + std::string(kId)));
    EXPECT_EQ(text.find_first_of("=+/"), std::string::npos) << text;
    EXPECT_EQ(util::base64_decode(text), "1704067200051." + std::string(kId));
}

TEST(ExecutionCursor, RoundTripsEveryPaddingLength) {
    // Ids of three consecutive lengths give all three tail lengths of base64.
    for (const std::string id : {"a", "ab", "abc", kId, "ABCDEF-0123"}) {
        for (const std::int64_t time : {0LL, 7LL, 1704067200000LL, 999999999999999LL}) {
            const storage::ExecutionCursor cursor{time, id};
            const auto decoded = decode_execution_cursor(encode_execution_cursor(cursor));
            ASSERT_TRUE(decoded) << time << "." << id;
            EXPECT_EQ(decoded->created_at_ms, time);
            EXPECT_EQ(decoded->id, id);
        }
    }
}

TEST(ExecutionCursor, RefusesPlainTextsNotOfTheForm) {
    const std::vector<std::string> plains{
        "",
        "1704067200051",                 // no dot
        "1704067200051-" + std::string(kId),
        "1704067200051.",                // empty id
        "." + std::string(kId),          // empty time
        "-5." + std::string(kId),        // sign
        "+5." + std::string(kId),
        "17040672000x1." + std::string(kId),
        "1.5." + std::string(kId),       // second dot lands in the id
        "0017." + std::string(kId),      // leading zeros
        "1704067200051.3f2c1a9e 7b44",   // space in the id
        "1704067200051.xyz",             // not hex
        "1704067200051.abc'--",          // quote
        "1704067200051." + std::string(kId) + "0",   // longer than a UUID
        "1234567890123456." + std::string(kId),      // time too long
        std::string("17.ab\0cd", 8),     // NUL in the id
    };
    for (const auto& plain : plains) {
        EXPECT_FALSE(decode_execution_cursor(base64url(plain))) << '"' << plain << '"';
    }
}

TEST(ExecutionCursor, RefusesTextThatIsNotUnpaddedBase64Url) {
    const auto good = encode_execution_cursor({1704067200051, kId});
    ASSERT_TRUE(decode_execution_cursor(good));

    EXPECT_FALSE(decode_execution_cursor(""));
    EXPECT_FALSE(decode_execution_cursor("not a cursor"));
    EXPECT_FALSE(decode_execution_cursor(good + "="));        // padding
    EXPECT_FALSE(decode_execution_cursor(good + " "));        // whitespace
    EXPECT_FALSE(decode_execution_cursor(" " + good));
    EXPECT_FALSE(decode_execution_cursor(good + "A"));        // impossible length or garbage tail
    EXPECT_FALSE(decode_execution_cursor(good.substr(0, good.size() - 1)));
    EXPECT_FALSE(decode_execution_cursor("%3D" + good));

    for (const char symbol : {'+', '/', '.', '%'}) {
        auto altered = good;
        altered[4] = symbol;
        EXPECT_FALSE(decode_execution_cursor(altered)) << altered;
    }
}

TEST(ExecutionCursor, RefusesNonCanonicalTrailingBits) {
    // "1.ab" is "MS5hYg": the last symbol carries four unused bits, so "MS5hYh" decodes to the
    // same bytes but is not what the encoder writes.
    const auto canonical = base64url("1.ab");
    ASSERT_EQ(canonical, "MS5hYg");
    ASSERT_TRUE(decode_execution_cursor(canonical));
    ASSERT_EQ(util::base64_decode("MS5hYh"), util::base64_decode(canonical));
    EXPECT_FALSE(decode_execution_cursor("MS5hYh"));
}

TEST(ExecutionCursor, RefusesOverlongInput) {
    EXPECT_FALSE(decode_execution_cursor(std::string(kMaxExecutionCursorLength + 1, 'A')));
    EXPECT_FALSE(decode_execution_cursor(std::string(100000, 'M')));
    // The longest real cursor fits well within the limit.
    const auto longest = encode_execution_cursor({999999999999999, kId});
    EXPECT_LE(longest.size(), kMaxExecutionCursorLength);
}

}  // namespace
}  // namespace clara::api
