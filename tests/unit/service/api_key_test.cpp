#include "service/api_key.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace clara::service {
namespace {

TEST(ApiKey, GeneratesPrefixedHexKeysAndStoresOnlyTheirHash) {
    const auto first = generate_api_key();
    const auto second = generate_api_key();
    EXPECT_TRUE(std::regex_match(first.key, std::regex("^clara_sk_[0-9a-f]{64}$"))) << first.key;
    EXPECT_EQ(first.key.size(), 73u);
    EXPECT_NE(first.key, second.key);
    EXPECT_EQ(first.hash, hash_api_key(first.key));
    EXPECT_EQ(first.hash.size(), 64u);
    EXPECT_EQ(first.hash.find(first.key.substr(9)), std::string::npos);
}

TEST(ApiKey, HashIsPlainSha256OfTheWholeKey) {
    // Same hash as the original runner, so migrated rows keep working.
    EXPECT_EQ(hash_api_key("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiKey, ReadsBearerOrRawKeysFromTheHeader) {
    EXPECT_EQ(key_from_authorization("Bearer clara_sk_1"), "clara_sk_1");
    EXPECT_EQ(key_from_authorization("bearer   clara_sk_1  "), "clara_sk_1");
    EXPECT_EQ(key_from_authorization("BEARER\tclara_sk_1"), "clara_sk_1");
    EXPECT_EQ(key_from_authorization("clara_sk_1"), "clara_sk_1");
    EXPECT_EQ(key_from_authorization("Bearerclara_sk_1"), "Bearerclara_sk_1");
    EXPECT_EQ(key_from_authorization("Basic abc"), "Basic abc");
}

TEST(ApiKey, ChecksTheKeyFormat) {
    EXPECT_TRUE(has_api_key_format("clara_sk_0123"));
    EXPECT_FALSE(has_api_key_format("clara_sk_"));
    EXPECT_FALSE(has_api_key_format("sk-openai"));
    EXPECT_FALSE(has_api_key_format(""));
}

}  // namespace
}  // namespace clara::service
