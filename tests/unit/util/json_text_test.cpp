#include "util/json_text.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace clara::util {
namespace {

TEST(JsonText, FormatsNumbersAsJavaScriptDoes) {
    const std::pair<double, const char*> cases[] = {
        {1, "1"},           {2.5, "2.5"},         {0.1, "0.1"},       {-0.0, "0"},
        {1e21, "1e+21"},    {1e20, "100000000000000000000"},          {1.5e-7, "1.5e-7"},
        {0.000001, "0.000001"}, {123456789, "123456789"}, {-42.75, "-42.75"},
        {1.7976931348623157e308, "1.7976931348623157e+308"}, {5e-324, "5e-324"},
        {0.30000000000000004, "0.30000000000000004"},
    };
    for (const auto& [value, expected] : cases) {
        EXPECT_EQ(format_js_number(value), expected) << value;
    }
    EXPECT_EQ(format_js_number(std::nan("")), "NaN");
    EXPECT_EQ(format_js_number(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(JsonText, WritesCompactJsonLikeJsonStringify) {
    const auto value = boost::json::parse(R"({"a":[1,2.5,"x\"y"],"b":{"c":null,"d":true},"e":"\u0001\n"})");
    EXPECT_EQ(to_json_text(value), R"({"a":[1,2.5,"x\"y"],"b":{"c":null,"d":true},"e":"\u0001\n"})");
    EXPECT_EQ(to_json_text(boost::json::value(std::nan(""))), "null");
}

TEST(JsonText, PrettyPrintsWithIndent) {
    const auto value = boost::json::parse(R"({"a":[1,{}],"b":[],"c":{"d":"e"}})");
    EXPECT_EQ(to_json_text(value, 2),
              "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": [],\n  \"c\": {\n    \"d\": \"e\"\n  }\n}");
}

}  // namespace
}  // namespace clara::util
