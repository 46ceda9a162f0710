#include "engine/js_value.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace clara::engine {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

boost::json::value json(std::string_view text) { return boost::json::parse(text); }

TEST(JsNumberToString, PrintsNumbersAsJavaScriptDoes) {
    const struct {
        double number;
        const char* text;
    } cases[] = {
        {0, "0"},
        {-0.0, "0"},
        {1, "1"},
        {-1, "-1"},
        {0.1, "0.1"},
        {2.5, "2.5"},
        {100, "100"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {123456789, "123456789"},
        {1e20, "100000000000000000000"},
        {123456789012345680000.0, "123456789012345680000"},
        {1e21, "1e+21"},
        {1.5e21, "1.5e+21"},
        {-1.5e300, "-1.5e+300"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {0.000001, "0.000001"},
        {0.0000012, "0.0000012"},
        {1e-7, "1e-7"},
        {1.5e-7, "1.5e-7"},
        {123e-20, "1.23e-18"},
        {5e-324, "5e-324"},
        {9007199254740993.0, "9007199254740992"},
        {kNaN, "NaN"},
        {kInf, "Infinity"},
        {-kInf, "-Infinity"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(js_number_to_string(c.number), c.text) << c.text;
    }
}

TEST(ToText, CoercesEveryJsonKindAsNodesMdSays) {
    EXPECT_EQ(to_text(json("5")), "5");
    EXPECT_EQ(to_text(boost::json::value(2.50)), "2.5");
    EXPECT_EQ(to_text(boost::json::value(2.0)), "2");
    EXPECT_EQ(to_text(boost::json::value(1e21)), "1e+21");
    EXPECT_EQ(to_text(boost::json::value(-0.0)), "0");
    EXPECT_EQ(to_text(json("true")), "true");
    EXPECT_EQ(to_text(json("false")), "false");
    EXPECT_EQ(to_text(json("null")), "");
    EXPECT_EQ(to_text(json(R"("as is")")), "as is");
    EXPECT_EQ(to_text(json(R"("")")), "");
}

TEST(ToText, KeepsAllDigitsOfLargeIntegers) {
    EXPECT_EQ(to_text(json("9007199254740993")), "9007199254740993");
    EXPECT_EQ(to_text(json("-9223372036854775808")), "-9223372036854775808");
    EXPECT_EQ(to_text(json("18446744073709551615")), "18446744073709551615");
}

TEST(ToText, WritesObjectsAndArraysAsCompactJsonWithJsNumbers) {
    EXPECT_EQ(to_text(json(R"({"a": [1, 2.5, 2.0, "x"], "b": null, "c": {"d": true}})")),
              R"({"a":[1,2.5,2,"x"],"b":null,"c":{"d":true}})");
    EXPECT_EQ(to_text(json("[]")), "[]");
    EXPECT_EQ(to_text(json("{}")), "{}");
    EXPECT_EQ(to_text(json("[1e21, 1.5e-7]")), "[1e+21,1.5e-7]");
}

TEST(ToText, EscapesStringsInsideJsonLikeJsonStringify) {
    EXPECT_EQ(to_text(json(R"(["q\"b\\s/\n\t\u0001é😀"])")), "[\"q\\\"b\\\\s/\\n\\t\\u0001é😀\"]");
}

TEST(ToText, WritesNonFiniteNumbersInsideJsonAsNull) {
    boost::json::array array{kNaN, kInf, 1};
    EXPECT_EQ(to_text(array), "[null,null,1]");
}

TEST(JsToNumber, ConvertsStringsWithJsStringToNumber) {
    const struct {
        const char* text;
        double number;
    } cases[] = {
        {"", 0},         {"   ", 0},         {"  12 ", 12},        {"\t\n 7 \u00a0", 7},
        {"12", 12},      {"00012", 12},      {"-5", -5},           {"+5", 5},
        {"1e3", 1000},   {"1E-2", 0.01},     {".5", 0.5},          {"5.", 5},
        {"-.5", -0.5},   {"0x1A", 26},       {"0X1a", 26},         {"0b101", 5},
        {"0o17", 15},    {"Infinity", kInf}, {"-Infinity", -kInf}, {"+Infinity", kInf},
        {"1e400", kInf}, {"-1e400", -kInf},  {"1e-400", 0},
    };
    for (const auto& c : cases) {
        boost::json::value v(c.text);
        EXPECT_EQ(js_to_number(v), c.number) << '"' << c.text << '"';
    }
}

TEST(JsToNumber, GivesNaNForTextThatIsNotWhollyANumber) {
    for (const char* text : {"abc", "12px", "1_000", "0x", "-0x10", "0xG", "infinity", ".", "e5",
                             "1e", "1e+", "--1", "1 2", "0b2", "NaN", "١"}) {
        EXPECT_TRUE(std::isnan(js_to_number(boost::json::value(text)))) << '"' << text << '"';
    }
}

TEST(JsToNumber, ConvertsOtherKindsAsJavaScriptDoes) {
    EXPECT_EQ(js_to_number(json("null")), 0);
    EXPECT_EQ(js_to_number(json("true")), 1);
    EXPECT_EQ(js_to_number(json("false")), 0);
    EXPECT_EQ(js_to_number(json("42")), 42);
    EXPECT_EQ(js_to_number(json("-2.5")), -2.5);
    EXPECT_EQ(js_to_number(json("18446744073709551615")), 18446744073709551615.0);
    EXPECT_TRUE(std::isnan(js_to_number(json("{}"))));
    EXPECT_TRUE(std::isnan(js_to_number(json("[1]"))));  // JS gives 1; the runner keeps NaN
}

TEST(JsTruthy, FollowsJsTruthiness) {
    for (const char* falsy : {"null", "false", "0", "-0", "0.0", "\"\""}) {
        EXPECT_FALSE(js_truthy(json(falsy))) << falsy;
    }
    EXPECT_FALSE(js_truthy(boost::json::value(kNaN)));
    for (const char* truthy :
         {"true", "1", "-1", "0.5", "\"0\"", "\"false\"", "\" \"", "[]", "{}", "[0]"}) {
        EXPECT_TRUE(js_truthy(json(truthy))) << truthy;
    }
    EXPECT_TRUE(js_truthy(boost::json::value(kInf)));
}

TEST(JsLooseEquals, AppliesJsCoercions) {
    const struct {
        const char* a;
        const char* b;
        bool equal;
    } cases[] = {
        {"1", "\"1\"", true},        {"0", "\"\"", true},
        {"0", "\"0\"", true},        {"\"\"", "\"0\"", false},
        {"null", "null", true},      {"null", "0", false},
        {"null", "\"\"", false},     {"null", "false", false},
        {"true", "1", true},         {"true", "\"1\"", true},
        {"false", "\"0\"", true},    {"false", "\"\"", true},
        {"true", "\"true\"", false}, {"1", "1.0", true},
        {"\"a\"", "\"a\"", true},    {"\"a\"", "\"b\"", false},
        {"2", "\" 2 \"", true},      {"26", "\"0x1A\"", true},
        {"[1]", "[1]", false},       {"{\"a\":1}", "\"{\\\"a\\\":1}\"", true},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(js_loose_equals(json(c.a), json(c.b)), c.equal) << c.a << " == " << c.b;
        EXPECT_EQ(js_loose_equals(json(c.b), json(c.a)), c.equal) << c.b << " == " << c.a;
    }
}

TEST(JsStrictEquals, ComparesTypeAndValueAndObjectsByIdentity) {
    EXPECT_TRUE(js_strict_equals(json("1"), json("1.0")));
    EXPECT_TRUE(js_strict_equals(json("-0.0"), json("0")));
    EXPECT_FALSE(js_strict_equals(json("1"), json("\"1\"")));
    EXPECT_FALSE(js_strict_equals(json("null"), json("false")));
    EXPECT_TRUE(js_strict_equals(json("null"), json("null")));
    EXPECT_TRUE(js_strict_equals(json("\"x\""), json("\"x\"")));
    EXPECT_FALSE(js_strict_equals(boost::json::value(kNaN), boost::json::value(kNaN)));

    const auto object = json(R"({"a": 1})");
    const auto same_content = json(R"({"a": 1})");
    EXPECT_TRUE(js_strict_equals(object, object));
    EXPECT_FALSE(js_strict_equals(object, same_content));
}

TEST(JsonNumber, ReturnsTheJsVisibleNumberOrNaN) {
    EXPECT_EQ(json_number(json("7")), 7);
    EXPECT_EQ(json_number(json("18446744073709551615")), 18446744073709551615.0);
    EXPECT_EQ(json_number(json("2.5")), 2.5);
    EXPECT_TRUE(std::isnan(json_number(json("\"7\""))));
    EXPECT_TRUE(std::isnan(json_number(json("null"))));
}

}  // namespace
}  // namespace clara::engine
