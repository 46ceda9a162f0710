#include "service/slug.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <regex>

namespace clara::service {
namespace {

struct SlugCase {
    std::string name;
    std::string expected;
};

void PrintTo(const SlugCase& c, std::ostream* os) {
    *os << '"' << c.name << "\" -> \"" << c.expected << '"';
}

class SlugFromName : public ::testing::TestWithParam<SlugCase> {};

TEST_P(SlugFromName, FollowsTheGenerationRules) {
    EXPECT_EQ(slug_from_name(GetParam().name), GetParam().expected) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases,
    SlugFromName,
    ::testing::Values(
        SlugCase{"My Workflow", "my-workflow"},
        SlugCase{"  Hello, World!  ", "hello-world"},
        SlugCase{"---abc---", "abc"},
        SlugCase{"Research Assistant v2.0", "research-assistant-v2-0"},
        SlugCase{"Caf\xC3\xA9 Cr\xC3\xA8me", "caf-cr-me"},        // "Café Crème"
        SlugCase{"\xC4\xB0stanbul", "i-stanbul"},                  // U+0130: i + combining dot
        SlugCase{"\xE2\x84\xAA" "elvin", "kelvin"},                // U+212A KELVIN SIGN
        SlugCase{"\xE2\x84\xAB" "1", "1"},                         // U+212B lower-cases to å
        SlugCase{"ABC\xFF" "DEF", "abc-def"},                      // malformed UTF-8
        SlugCase{std::string(60, 'x'), std::string(50, 'x')},
        // Truncation at 50 leaves a '-' at the end, which the runner trims.
        SlugCase{std::string(49, 'a') + " bcd", std::string(49, 'a')},
        SlugCase{"!!" + std::string(55, 'b'), std::string(50, 'b')}));

TEST(SlugFromNameFallback, UsesRandomSuffixWhenNothingIsLeft) {
    const std::regex pattern("^workflow-[0-9a-f]{8}$");
    for (const std::string name : {"", "!!!", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", " - "}) {
        const auto slug = slug_from_name(name);
        EXPECT_TRUE(std::regex_match(slug, pattern)) << slug;
        EXPECT_TRUE(is_valid_slug(slug)) << slug;
    }
    EXPECT_NE(slug_from_name(""), slug_from_name(""));
}

TEST(IsValidSlug, AcceptsOnlyLowercaseDigitsAndHyphens) {
    EXPECT_TRUE(is_valid_slug("my-workflow-2"));
    EXPECT_TRUE(is_valid_slug("-"));
    EXPECT_TRUE(is_valid_slug(std::string(255, 'a')));
    EXPECT_FALSE(is_valid_slug(""));
    EXPECT_FALSE(is_valid_slug(std::string(256, 'a')));
    EXPECT_FALSE(is_valid_slug("My-Workflow"));
    EXPECT_FALSE(is_valid_slug("my_workflow"));
    EXPECT_FALSE(is_valid_slug("my workflow"));
    EXPECT_FALSE(is_valid_slug("caf\xC3\xA9"));
}

TEST(SlugFromName, GeneratedSlugsAreValid) {
    for (const std::string name : {"A", "Some Name", "x--y", "\xC4\xB0"}) {
        EXPECT_TRUE(is_valid_slug(slug_from_name(name))) << name;
    }
}

}  // namespace
}  // namespace clara::service
