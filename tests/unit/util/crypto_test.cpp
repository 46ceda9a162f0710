#include "util/crypto.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace clara::util {
namespace {

TEST(Crypto, Sha256MatchesKnownVector) {
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, RandomHexHasRequestedLengthAndDiffers) {
    const auto a = random_hex(32);
    const auto b = random_hex(32);
    EXPECT_EQ(a.size(), 64u);
    EXPECT_TRUE(std::regex_match(a, std::regex("^[0-9a-f]{64}$")));
    EXPECT_NE(a, b);
}

TEST(Crypto, UuidV4IsCanonicalAndUnique) {
    const std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto id = uuid_v4();
        ASSERT_TRUE(std::regex_match(id, pattern)) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(Crypto, UuidV7CarriesTheMillisecondsAndSortsByThem) {
    const std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    constexpr std::int64_t kMs = 1'764'000'000'123;  // 0x019AB697E87B
    const auto id = uuid_v7(kMs);
    ASSERT_TRUE(std::regex_match(id, pattern)) << id;
    EXPECT_EQ(id.substr(0, 13), "019ab697-e87b") << id;
    std::set<std::string> seen;
    std::string previous;
    for (std::int64_t ms = kMs; ms < kMs + 1000; ++ms) {
        const auto next = uuid_v7(ms);
        EXPECT_LT(previous, next);  // text order is time order across milliseconds
        seen.insert(next);
        previous = next;
    }
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_NE(uuid_v7(kMs), uuid_v7(kMs));  // random within one millisecond
}

TEST(Crypto, ConstantTimeEqualsComparesContentAndLength) {
    EXPECT_TRUE(constant_time_equals("secret", "secret"));
    EXPECT_FALSE(constant_time_equals("secret", "secreT"));
    EXPECT_FALSE(constant_time_equals("secret", "secret1"));
}

}  // namespace
}  // namespace clara::util
