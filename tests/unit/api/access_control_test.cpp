#include "api/access_control.hpp"

#include <gtest/gtest.h>

namespace clara::api {
namespace {

TEST(AccessControl, RecognisesLoopbackAddresses) {
    EXPECT_TRUE(is_loopback("127.0.0.1"));
    EXPECT_TRUE(is_loopback("127.8.9.10"));
    EXPECT_TRUE(is_loopback("::1"));
    EXPECT_TRUE(is_loopback("::ffff:127.0.0.1"));
    EXPECT_FALSE(is_loopback("10.0.0.1"));
    EXPECT_FALSE(is_loopback("::ffff:10.0.0.1"));
    EXPECT_FALSE(is_loopback("1270.0.0.1"));
    EXPECT_FALSE(is_loopback(""));
}

}  // namespace
}  // namespace clara::api
