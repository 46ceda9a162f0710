#include "engine/expression.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace clara::engine {
namespace {

boost::json::value json(std::string_view text) { return boost::json::parse(text); }

boost::json::value evaluate(std::string_view source, const boost::json::value& input = nullptr) {
    return Expression::parse(source).evaluate(input);
}

bool truthy(std::string_view source, const boost::json::value& input = nullptr) {
    return Expression::parse(source).evaluate_truthy(input);
}

/// The ExpressionError message of parsing and evaluating `source`, or "" when none is thrown.
std::string error_of(std::string_view source,
                     const boost::json::value& input = nullptr,
                     const ExpressionLimits& limits = {}) {
    try {
        Expression::parse(source, limits).evaluate(input);
    } catch (const ExpressionError& e) {
        return e.what();
    }
    return "";
}

/// One expression, its input and its expected result, all as JSON text.
struct Case {
    const char* source;
    const char* input;
    const char* expected;
};

void expect_cases(std::initializer_list<Case> cases) {
    for (const Case& c : cases) {
        SCOPED_TRACE(std::string(c.source) + "  with input " + c.input);
        try {
            EXPECT_EQ(boost::json::serialize(evaluate(c.source, json(c.input))),
                      boost::json::serialize(json(c.expected)));
        } catch (const ExpressionError& e) {
            ADD_FAILURE() << "unexpected ExpressionError: " << e.what();
        }
    }
}

TEST(Expression, EvaluatesEveryExampleOfTheSpec) {
    expect_cases({
        {"input > 10", "11", "true"},
        {"input > 10", "10", "false"},
        {"input > 10", "\"11\"", "true"},
        {"input > 10", "\"abc\"", "false"},
        {"input.includes(\"hello\")", "\"say hello world\"", "true"},
        {"input.includes(\"hello\")", "\"say bye\"", "false"},
        {"input.includes(\"hello\")", "[\"hello\", 1]", "true"},
        {"input.length > 0", "\"\"", "false"},
        {"input.length > 0", "\"x\"", "true"},
        {"input.length > 0", "[]", "false"},
        {"input.length > 0", "[0]", "true"},
        {"input === 'yes' || input === 'y'", "\"y\"", "true"},
        {"input === 'yes' || input === 'y'", "\"yes\"", "true"},
        {"input === 'yes' || input === 'y'", "\"no\"", "false"},
        {"Number(input) % 2 === 0", "\"4\"", "true"},
        {"Number(input) % 2 === 0", "3", "false"},
        {"Number(input) % 2 === 0", "\"abc\"", "false"},
        {"typeof input === 'string'", "\"x\"", "true"},
        {"typeof input === 'string'", "5", "false"},
        {"input.score >= 0.5 && input.valid", R"({"score": 0.7, "valid": true})", "true"},
        {"input.score >= 0.5 && input.valid", R"({"score": 0.7, "valid": false})", "false"},
        {"input.score >= 0.5 && input.valid", R"({"score": 0.2, "valid": true})", "false"},
        {"input.score >= 0.5 && input.valid", R"({"score": 0.7})", "null"},
    });
}

TEST(Expression, BindsInputValueAndConditionToTheInput) {
    expect_cases({
        {"input === value && value === condition", R"({"a": 1})", "true"},
        {"value + condition", "2", "4"},
    });
}

TEST(Expression, AddsOrConcatenatesAsJavaScriptDoes) {
    expect_cases({
        {"1 + 2", "null", "3"},
        {"'1' + 2", "null", "\"12\""},
        {"1 + '2'", "null", "\"12\""},
        {"1 + 2 + '3'", "null", "\"33\""},
        {"'3' + 1 + 2", "null", "\"312\""},
        {"true + 1", "null", "2"},
        {"null + 1", "null", "1"},
        {"undefined + 1", "null", "null"},
        {"'a' + null", "null", "\"anull\""},
        {"'a' + undefined", "null", "\"aundefined\""},
        {"'a' + true", "null", "\"atrue\""},
        {"'n=' + 2.50", "null", "\"n=2.5\""},
        {"'' + 1e21", "null", "\"1e+21\""},
        {"'' + 0.0000001", "null", "\"1e-7\""},
        {"'' + -0", "null", "\"0\""},
        {"'' + 1/0", "null", "\"Infinity\""},
        {"'' + 0/0", "null", "\"NaN\""},
        {"input + ''", R"({"a": [1, 2.5]})", R"("{\"a\":[1,2.5]}")"},
        {"input + 1", "[1, 2]", "\"[1,2]1\""},
        {"input.a + input.b", R"({"a": 0.1, "b": 0.2})", "0.30000000000000004"},
    });
}

TEST(Expression, AppliesArithmeticWithToNumber) {
    expect_cases({
        {"'10' - 3", "null", "7"},
        {"'6' * '7'", "null", "42"},
        {"' 12 ' / 4", "null", "3"},
        {"'abc' * 1", "null", "null"},
        {"'' * 5", "null", "0"},
        {"'0x1A' - 0", "null", "26"},
        {"5 % 3", "null", "2"},
        {"-5 % 3", "null", "-2"},
        {"5.5 % 2", "null", "1.5"},
        {"5 % 0", "null", "null"},
        {"7 / 2", "null", "3.5"},
        {"-'5'", "null", "-5"},
        {"+'3' + 1", "null", "4"},
        {"+''", "null", "0"},
        {"-null", "null", "0"},
        {"+true", "null", "1"},
        {"+undefined", "null", "null"},
        {"+input", "[]", "null"},
    });
    EXPECT_TRUE(truthy("1 / 0 > 1e308"));
    EXPECT_TRUE(truthy("-1 / 0 < -1e308"));
    EXPECT_FALSE(truthy("0 / 0"));
    EXPECT_TRUE(truthy("1 / 0"));
    EXPECT_TRUE(truthy("1 / -0 < 0"));
}

TEST(Expression, RespectsPrecedenceAndAssociativity) {
    expect_cases({
        {"1 + 2 * 3", "null", "7"},
        {"(1 + 2) * 3", "null", "9"},
        {"2 * 3 % 4", "null", "2"},
        {"1 - 2 - 3", "null", "-4"},
        {"12 / 2 / 3", "null", "2"},
        {"-2 * -3", "null", "6"},
        {"!0 === true", "null", "true"},
        {"1 < 2 === true", "null", "true"},
        {"1 + 2 == 3 && 'a' < 'b'", "null", "true"},
        {"1 || 0 && 0", "null", "1"},
        {"false ? 1 : true ? 2 : 3", "null", "2"},
        {"typeof 1 + 'x'", "null", "\"numberx\""},
        {"!!input", "[]", "true"},
    });
}

TEST(Expression, ComparesStringsByCodeUnitsAndOthersByNumber) {
    expect_cases({
        {"'b' > 'a'", "null", "true"},
        {"'B' < 'a'", "null", "true"},
        {"'10' < '9'", "null", "true"},
        {"'10' < 9", "null", "false"},
        {"'abc' < 'abcd'", "null", "true"},
        {"'abc' <= 'abc'", "null", "true"},
        {"null >= 0", "null", "true"},
        {"null > 0", "null", "false"},
        {"undefined >= 0", "null", "false"},
        {"'abc' < 1", "null", "false"},
        {"'abc' >= 1", "null", "false"},
        {"0/0 <= 0/0", "null", "false"},
        {"true > false", "null", "true"},
        {"input.a < input.b", R"({"a": "2020-01-02", "b": "2020-10-01"})", "true"},
        // UTF-16 order: U+FF5E is one unit 0xFF5E, U+1F600 starts with 0xD83D.
        {"'\\uFF5E' > '\\u{1F600}'", "null", "true"},
        {"'é' > 'z'", "null", "true"},
    });
}

TEST(Expression, UsesLooseAndStrictEquality) {
    expect_cases({
        {"1 == '1'", "null", "true"},
        {"1 === '1'", "null", "false"},
        {"1 !== '1'", "null", "true"},
        {"'1' != 1", "null", "false"},
        {"null == undefined", "null", "true"},
        {"null === undefined", "null", "false"},
        {"null == 0", "null", "false"},
        {"undefined == ''", "null", "false"},
        {"'' == 0", "null", "true"},
        {"true == 1", "null", "true"},
        {"true == '1'", "null", "true"},
        {"true == 'true'", "null", "false"},
        {"0/0 == 0/0", "null", "false"},
        {"0/0 !== 0/0", "null", "true"},
        {"0 === -0", "null", "true"},
        {"input == null", "null", "true"},
        {"input.missing == null", "{}", "true"},
        {"input.missing === undefined", "{}", "true"},
        {"input === input", "{}", "true"},
        {"input.a === input.a", R"({"a": {}})", "true"},
        {"input.a === input.b", R"({"a": {}, "b": {}})", "false"},
        {"input.a == input.b", R"({"a": [1], "b": [1]})", "false"},
        {"Math.max === Math.max", "null", "true"},
        {"'a'.trim === 'b'.trim", "null", "true"},
    });
}

TEST(Expression, ReturnsOperandsFromLogicalOperatorsAndShortCircuits) {
    expect_cases({
        {"0 || 'x'", "null", "\"x\""},
        {"'a' || 'b'", "null", "\"a\""},
        {"0 && 'x'", "null", "0"},
        {"1 && 'x'", "null", "\"x\""},
        {"'' && 1", "null", "\"\""},
        {"null || undefined", "null", "null"},
        {"input.a || 'default'", R"({"a": ""})", "\"default\""},
        {"input.a || 'default'", R"({"a": 0})", "\"default\""},
        {"input.a && input.a.b", R"({"a": {"b": 5}})", "5"},
        {"input.a && input.a.b", "{}", "null"},
        {"true || input.missing.deep", "{}", "true"},
        {"false && input.missing.deep", "{}", "false"},
        {"input ? 'yes' : 'no'", "\"\"", "\"no\""},
        {"input ? 'yes' : 'no'", "[]", "\"yes\""},
        {"input > 0 ? 'pos' : input < 0 ? 'neg' : 'zero'", "-3", "\"neg\""},
        {"input > 0 ? 'pos' : input < 0 ? 'neg' : 'zero'", "0", "\"zero\""},
        {"input > 0 ? 'pos' : input < 0 ? 'neg' : 'zero'", "2", "\"pos\""},
    });
}

TEST(Expression, ReportsTypeofForEveryKindOfValue) {
    expect_cases({
        {"typeof null", "null", "\"object\""},
        {"typeof undefined", "null", "\"undefined\""},
        {"typeof 1", "null", "\"number\""},
        {"typeof (0/0)", "null", "\"number\""},
        {"typeof true", "null", "\"boolean\""},
        {"typeof 'x'", "null", "\"string\""},
        {"typeof input", "[]", "\"object\""},
        {"typeof input", "{}", "\"object\""},
        {"typeof input.missing", "{}", "\"undefined\""},
        {"typeof Math", "null", "\"object\""},
        {"typeof Math.max", "null", "\"function\""},
        {"typeof parseInt", "null", "\"function\""},
        {"typeof input.includes", "\"s\"", "\"function\""},
        {"typeof typeof 1", "null", "\"string\""},
    });
}

TEST(Expression, ConvertsWithNumberStringAndBoolean) {
    expect_cases({
        {"Number()", "null", "0"},
        {"Number('')", "null", "0"},
        {"Number(' 42 ')", "null", "42"},
        {"Number('0x1A')", "null", "26"},
        {"Number('1e3')", "null", "1000"},
        {"Number('abc')", "null", "null"},
        {"Number(true)", "null", "1"},
        {"Number(null)", "null", "0"},
        {"Number(undefined)", "null", "null"},
        {"Number(input)", "\"-2.5\"", "-2.5"},
        {"String()", "null", "\"\""},
        {"String(123)", "null", "\"123\""},
        {"String(1.50)", "null", "\"1.5\""},
        {"String(1e21)", "null", "\"1e+21\""},
        {"String(1.5e-7)", "null", "\"1.5e-7\""},
        {"String(0.000001)", "null", "\"0.000001\""},
        {"String(-0)", "null", "\"0\""},
        {"String(null)", "null", "\"null\""},
        {"String(undefined)", "null", "\"undefined\""},
        {"String(true)", "null", "\"true\""},
        {"String(input)", R"({"a": [1, 2]})", R"("{\"a\":[1,2]}")"},
        {"String(input)", "[1, \"x\"]", R"("[1,\"x\"]")"},
        {"Boolean('')", "null", "false"},
        {"Boolean('0')", "null", "true"},
        {"Boolean(input)", "[]", "true"},
        {"Boolean()", "null", "false"},
        {"isNaN('abc')", "null", "true"},
        {"isNaN('12')", "null", "false"},
        {"isNaN(undefined)", "null", "true"},
        {"isNaN()", "null", "true"},
        {"isFinite('12')", "null", "true"},
        {"isFinite(1/0)", "null", "false"},
        {"isFinite(null)", "null", "true"},
    });
}

TEST(Expression, ParsesIntegerAndFloatPrefixes) {
    expect_cases({
        {"parseInt('42px')", "null", "42"},
        {"parseInt('  -17.9')", "null", "-17"},
        {"parseInt('0x1A')", "null", "26"},
        {"parseInt('abc')", "null", "null"},
        {"parseInt('')", "null", "null"},
        {"parseInt('101', 2)", "null", "5"},
        {"parseInt('ff', 16)", "null", "255"},
        {"parseInt('0x10', 16)", "null", "16"},
        {"parseInt('0x10', 10)", "null", "0"},
        {"parseInt('10', 1)", "null", "null"},
        {"parseInt('10', 37)", "null", "null"},
        {"parseInt('z', 36)", "null", "35"},
        {"parseInt('123', 0)", "null", "123"},
        {"parseInt(15.99)", "null", "15"},
        {"parseInt('1e3')", "null", "1"},
        {"parseInt(null)", "null", "null"},
        {"parseInt('+7')", "null", "7"},
        {"String(parseInt('12345678901234567890'))", "null", "\"12345678901234567000\""},
        {"parseFloat('3.14abc')", "null", "3.14"},
        {"parseFloat('.5')", "null", "0.5"},
        {"parseFloat('-.5e2x')", "null", "-50"},
        {"parseFloat('1e')", "null", "1"},
        {"parseFloat('abc')", "null", "null"},
        {"parseFloat('  +2.5')", "null", "2.5"},
        {"parseFloat('0x10')", "null", "0"},
        {"parseFloat('Infinityx') === 1/0", "null", "true"},
        {"parseFloat(input)", "\"7.25 kg\"", "7.25"},
    });
}

TEST(Expression, ProvidesTheMathFunctions) {
    expect_cases({
        {"Math.abs(-3)", "null", "3"},
        {"Math.abs('-2')", "null", "2"},
        {"Math.min(3, 1, 2)", "null", "1"},
        {"Math.max(3, '7', 2)", "null", "7"},
        {"Math.max() === -1/0", "null", "true"},
        {"Math.min() === 1/0", "null", "true"},
        {"Math.max(1, 'x')", "null", "null"},
        {"1 / Math.max(-0, 0) === 1/0", "null", "true"},
        {"1 / Math.min(0, -0) === -1/0", "null", "true"},
        {"Math.round(2.5)", "null", "3"},
        {"Math.round(2.4)", "null", "2"},
        {"Math.round(-2.5)", "null", "-2"},
        {"Math.round(-2.6)", "null", "-3"},
        {"Math.round(0.49999999999999994)", "null", "0"},
        {"1 / Math.round(-0.4) === -1/0", "null", "true"},
        {"Math.floor(-1.5)", "null", "-2"},
        {"Math.ceil(1.2)", "null", "2"},
        {"Math.pow(2, 10)", "null", "1024"},
        {"Math.pow(2, -1)", "null", "0.5"},
        {"Math.pow(1, 1/0)", "null", "null"},
        {"Math.pow(2, undefined)", "null", "null"},
        {"Math.pow(0/0, 0)", "null", "1"},
        {"Math.sqrt(16)", "null", "4"},
        {"Math.sqrt(-1)", "null", "null"},
        {"Math.round(input.score * 100)", R"({"score": 0.456})", "46"},
    });
}

TEST(Expression, SupportsStringMembers) {
    expect_cases({
        {"'héllo'.length", "null", "5"},
        {"'😀'.length", "null", "2"},
        {"input.length", "\"日本語\"", "3"},
        {"'abc'.includes('')", "null", "true"},
        {"'a5'.includes(5)", "null", "true"},
        {"'abc'.includes('bc', 2)", "null", "false"},
        {"'abc'.indexOf('c')", "null", "2"},
        {"'aé😀b'.indexOf('b')", "null", "4"},
        {"'abc'.indexOf('x')", "null", "-1"},
        {"'abcabc'.indexOf('c', 3)", "null", "5"},
        {"'abc'.indexOf('', 10)", "null", "3"},
        {"'😀😀'.indexOf('', 1)", "null", "1"},
        {"'😀😀'.indexOf('😀', 1)", "null", "2"},
        {"'abc'.startsWith('ab')", "null", "true"},
        {"'abc'.startsWith('bc', 1)", "null", "true"},
        {"'abc'.startsWith('bc')", "null", "false"},
        {"'abc'.endsWith('bc')", "null", "true"},
        {"'abc'.endsWith('ab', 2)", "null", "true"},
        {"'abc'.endsWith('c', 2)", "null", "false"},
        {"'AbC'.toLowerCase()", "null", "\"abc\""},
        {"'AbC'.toUpperCase()", "null", "\"ABC\""},
        {"'ÉA'.toLowerCase()", "null", "\"éa\""},
        {"'straße'.toUpperCase()", "null", "\"STRASSE\""},
        {"'Привет, Ёж'.toUpperCase()", "null", "\"ПРИВЕТ, ЁЖ\""},
        {"'ΟΔΟΣ ΣΟΦΟΣ'.toLowerCase()", "null", "\"οδος σοφος\""},
        {"'Șțiință Ăă'.toUpperCase()", "null", "\"ȘȚIINȚĂ ĂĂ\""},
        {"'Việt'.toUpperCase()", "null", "\"VIỆT\""},
        {"'İ'.toLowerCase().length", "null", "2"},
        {"'  x \\n'.trim()", "null", "\"x\""},
        {"input.trim()", "\"\\u00a0 x y\\u3000\\t\"", "\"x y\""},
        {"(input + '  ').trim().length", "\"ab\"", "2"},
        {"input.toLowerCase().includes('yes')", "\"Oh YES!\"", "true"},
        {"'abc'[1]", "null", "\"b\""},
        {"'abc'['length']", "null", "3"},
        {"'abc'[5]", "null", "null"},
        {"'abc'.foo", "null", "null"},
        {"(5).foo", "null", "null"},
        {"'\\x41\\u0042\\u{43}\\'\\\"\\\\'", "null", "\"ABC'\\\"\\\\\""},
        {"'\\uD83D\\uDE00'.length", "null", "2"},
        {"'\\uD83D\\uDE00' === '😀'", "null", "true"},
    });
}

TEST(Expression, FindsLongNeedlesInLongTexts) {
    boost::json::object input;
    input["hay"] = std::string(200'000, 'a') + "b";
    input["needle"] = std::string(1000, 'a') + "b";
    input["missing"] = std::string(1000, 'a') + "c";
    EXPECT_EQ(evaluate("input.hay.indexOf(input.needle)", input), json("199000"));
    EXPECT_EQ(evaluate("input.hay.includes(input.missing)", input), json("false"));
}

TEST(Expression, SupportsArrayMembers) {
    expect_cases({
        {"input.length", "[1, 2, 3]", "3"},
        {"input[0]", "[1, 2, 3]", "1"},
        {"input[3]", "[1, 2, 3]", "null"},
        {"input[-1]", "[1, 2, 3]", "null"},
        {"input['1']", "[1, 2, 3]", "2"},
        {"input[1.5]", "[1, 2, 3]", "null"},
        {"input[input.length - 1]", "[1, 2, 3]", "3"},
        {"input.includes(2)", "[1, 2, 3]", "true"},
        {"input.includes('2')", "[1, 2, 3]", "false"},
        {"input.includes(2, 2)", "[1, 2, 3]", "false"},
        {"input.includes(null)", "[1, null]", "true"},
        {"input.indexOf(3)", "[1, 2, 3]", "2"},
        {"input.indexOf(9)", "[1, 2, 3]", "-1"},
        {"input.indexOf(1, -3)", "[1, 2, 3]", "0"},
        {"input.indexOf(1, -2)", "[1, 2, 3]", "-1"},
        {"input.indexOf('b')", "[\"a\", \"b\"]", "1"},
        {"input.items[1].name", R"({"items": [{"name": "a"}, {"name": "b"}]})", "\"b\""},
        {"input.tags.includes('urgent')", R"({"tags": ["urgent", "new"]})", "true"},
        {"input.map", "[]", "null"},
    });
}

TEST(Expression, IncludesFindsNaNButIndexOfDoesNot) {
    boost::json::array input{1, std::nan("")};
    EXPECT_EQ(evaluate("input.includes(0/0)", input), json("true"));
    EXPECT_EQ(evaluate("input.indexOf(0/0)", input), json("-1"));
}

TEST(Expression, ReadsObjectPropertiesByNameOrComputedKey) {
    expect_cases({
        {"input.name", R"({"name": "Ada"})", "\"Ada\""},
        {"input['name']", R"({"name": "Ada"})", "\"Ada\""},
        {"input['na' + 'me']", R"({"name": "Ada"})", "\"Ada\""},
        {"input[1]", R"({"1": "one"})", "\"one\""},
        {"input.missing", R"({"name": "Ada"})", "null"},
        {"input.length", R"({"length": 5})", "5"},
        {"input.includes", R"({"includes": 1})", "1"},
        {"input['with space']", R"({"with space": true})", "true"},
        {"input.a.b.c", R"({"a": {"b": {"c": [true]}}})", "[true]"},
        {"input.true", R"({"true": 1})", "1"},
    });
}

TEST(Expression, ReturnsResultsAsJson) {
    EXPECT_EQ(evaluate("input", json(R"({"a": [1, {"b": null}]})")),
              json(R"({"a": [1, {"b": null}]})"));
    EXPECT_EQ(evaluate("'x'"), json("\"x\""));
    EXPECT_EQ(evaluate("2.5"), json("2.5"));
    EXPECT_EQ(evaluate("-0"), json("0"));
    EXPECT_TRUE(evaluate("4").is_int64());
    EXPECT_TRUE(evaluate("1e300").is_double());
    EXPECT_TRUE(evaluate("1/0").is_null());
    EXPECT_TRUE(evaluate("0/0").is_null());
    EXPECT_TRUE(evaluate("undefined").is_null());
    EXPECT_TRUE(evaluate("Math.max").is_null());
    EXPECT_TRUE(evaluate("Math").is_null());
}

TEST(Expression, UsesJsTruthinessForBranchDecisions) {
    EXPECT_FALSE(truthy("0/0"));
    EXPECT_FALSE(truthy("undefined"));
    EXPECT_FALSE(truthy("input", json("\"\"")));
    EXPECT_FALSE(truthy("input", json("0")));
    EXPECT_FALSE(truthy("input", json("null")));
    EXPECT_FALSE(truthy("input.missing", json("{}")));
    EXPECT_TRUE(truthy("input", json("\"0\"")));
    EXPECT_TRUE(truthy("input", json("[]")));
    EXPECT_TRUE(truthy("input", json("{}")));
    EXPECT_TRUE(truthy("Math.max"));
    EXPECT_TRUE(truthy("1/0"));
}

TEST(Expression, AcceptsNumberLiteralForms) {
    expect_cases({
        {"1e3", "null", "1000"},
        {"2.5E-1", "null", "0.25"},
        {".5", "null", "0.5"},
        {"5.", "null", "5"},
        {"0", "null", "0"},
        {"0.5", "null", "0.5"},
        {"1e400 > 1e308", "null", "true"},
    });
}

TEST(ExpressionErrors, ReportSyntaxErrorsWithTheirColumn) {
    const struct {
        const char* source;
        const char* message;
    } cases[] = {
        {"input >", "syntax error at column 8: unexpected end of the expression"},
        {"input >> 1", "syntax error at column 8: unexpected '>'"},
        {"(1 + 2", "syntax error at column 7: expected ')' but found end of the expression"},
        {"1 +* 2", "syntax error at column 4: unexpected '*'"},
        {"'abc", "syntax error at column 1: unterminated string"},
        {"'a\nb'", "syntax error at column 1: unterminated string"},
        {"input = 5", "syntax error at column 7: assignment is not supported"},
        {"input ** 2", "syntax error at column 7: the '**' operator is not supported"},
        {"input ?? 2", "syntax error at column 7: the ?? operator is not supported"},
        {"input?.a", "syntax error at column 6: optional chaining"},
        {"input & 1", "syntax error at column 7: bitwise operators are not supported"},
        {"{}", "syntax error at column 1: object literals are not supported"},
        {"`x`", "syntax error at column 1: template literals are not supported"},
        {"input; 1", "syntax error at column 6: only a single expression is allowed"},
        {"x => 1", "syntax error at column 3: functions cannot be defined"},
        {"foo > 1", "syntax error at column 1: unknown identifier 'foo'"},
        {"'é' + bar", "syntax error at column 7: unknown identifier 'bar'"},
        {"this", "syntax error at column 1: 'this' is not supported"},
        {"new Number(1)", "syntax error at column 1: 'new' is not supported"},
        {"input in input", "syntax error at column 7: 'in' is not supported"},
        {"012", "syntax error at column 1: numbers cannot start with 0"},
        {"1e", "syntax error at column 2: missing digits in the exponent"},
        {"1x", "syntax error at column 2: unexpected character after a number"},
        {"'\\1'", "syntax error at column 2: octal escapes are not supported"},
        {"'\\u12'", "syntax error at column 6: invalid hexadecimal escape"},
        {"", "syntax error at column 1: the expression is empty"},
        {"   ", "syntax error at column 1: the expression is empty"},
        {"input.", "syntax error at column 7: expected a property name"},
        {"Math.max(1,)", "syntax error at column 12: unexpected ')'"},
        {"input @ 1", "syntax error at column 7: unexpected character '@'"},
        {"1 2", "syntax error at column 3: unexpected '2'"},
    };
    for (const auto& c : cases) {
        const std::string message = error_of(c.source);
        EXPECT_TRUE(message.starts_with(c.message)) << c.source << " -> " << message;
    }
}

TEST(ExpressionErrors, RefuseConstructorProtoAndPrototype) {
    for (const char* source : {"input.constructor", "input.__proto__", "'a'.constructor",
                               "Math.max.prototype", "Number.constructor('x')"}) {
        EXPECT_NE(error_of(source, json("{}")).find("is not allowed"), std::string::npos) << source;
    }
    // Computed keys are checked when evaluated.
    for (const char* source : {"input['constructor']", "input['__proto__']",
                               "input['proto' + 'type']", "'a'['constructor']"}) {
        const std::string message = error_of(source, json("{}"));
        EXPECT_NE(message.find("is not allowed"), std::string::npos) << source << " -> " << message;
        EXPECT_NE(message.find("at column"), std::string::npos) << message;
    }
    EXPECT_NE(error_of("input.constructor", json(R"({"constructor": 1})")).find("not allowed"),
              std::string::npos);
}

TEST(ExpressionErrors, RefuseMemberAccessOnNullAndUndefined) {
    EXPECT_EQ(error_of("input.a", json("null")),
              "cannot read property 'a' of null in 'input.a' (at column 6)");
    EXPECT_EQ(error_of("1 + input.a.b", json("{}")),
              "cannot read property 'b' of undefined in 'input.a.b' (at column 12)");
    EXPECT_NE(error_of("undefined[0]").find("of undefined"), std::string::npos);
    EXPECT_NE(error_of("null.length").find("of null"), std::string::npos);
    EXPECT_NE(error_of("input.a.includes('x')", json("{}")).find("of undefined"),
              std::string::npos);
}

TEST(ExpressionErrors, RefuseCallsOfAnythingButTheAllowedFunctions) {
    EXPECT_EQ(error_of("input.foo()", json("{}")),
              "'input.foo' is not a function that expressions may call (at column 10)");
    for (const char* source : {"input()", "'abc'.split(',')", "Math.random()", "Math()",
                               "input.includes(1)", "(1)()", "input[0]()", "'abc'.length()"}) {
        EXPECT_NE(error_of(source, json(R"({"includes": 1})")).find("is not a function"),
                  std::string::npos)
            << source;
    }
}

TEST(ExpressionErrors, RefuseSourcesLongerThan1000Characters) {
    std::string source = "1";
    while (source.size() < 999) source += "+1";
    ASSERT_EQ(source.size(), 999u);
    EXPECT_EQ(evaluate(source), json("500"));
    EXPECT_NE(error_of(source + "+1").find("too long"), std::string::npos);

    // Characters are counted, not bytes: 1000 characters of which 998 take two bytes.
    std::string accents;
    for (int i = 0; i < 998; ++i) accents += "é";
    EXPECT_EQ(evaluate("'" + accents + "'"), boost::json::value(accents));
    EXPECT_NE(error_of("'" + accents + "é'").find("too long"), std::string::npos);
}

TEST(ExpressionErrors, SurviveHostileNesting) {
    EXPECT_NE(error_of(std::string(10'000, '(')).find("too long"), std::string::npos);

    ExpressionLimits roomy;
    roomy.max_source_chars = 1'000'000;
    const std::string deep = std::string(100'000, '(') + "1" + std::string(100'000, ')');
    EXPECT_NE(error_of(deep, nullptr, roomy).find("nested too deeply"), std::string::npos);
    EXPECT_NE(error_of(std::string(100'000, '!') + "1", nullptr, roomy).find("too complex"),
              std::string::npos);
    std::string chain = "1";
    for (int i = 0; i < 100'000; ++i) chain += "+1";
    EXPECT_NE(error_of(chain, nullptr, roomy).find("too complex"), std::string::npos);
    EXPECT_NE(error_of(std::string(100'000, '['), nullptr, roomy).find("syntax error"),
              std::string::npos);

    // Within the default limits: 199 parentheses are fine, 200 are not.
    EXPECT_EQ(evaluate(std::string(199, '(') + "1" + std::string(199, ')')), json("1"));
    EXPECT_NE(
        error_of(std::string(200, '(') + "1" + std::string(200, ')')).find("nested too deeply"),
        std::string::npos);
    std::string ternaries;
    for (int i = 0; i < 240; ++i) ternaries += "1?1:";
    EXPECT_NE(error_of(ternaries + "1").find("nested too deeply"), std::string::npos);
    EXPECT_EQ(evaluate(std::string(900, '!') + "1"), json("true"));
}

TEST(ExpressionErrors, StopAtTheStepLimit) {
    ExpressionLimits limits;
    limits.max_steps = 10;
    EXPECT_EQ(Expression::parse("1+1+1+1+1", limits).evaluate(nullptr), json("5"));  // 9 steps
    EXPECT_NE(error_of("1+1+1+1+1+1", nullptr, limits).find("step limit of 10 exceeded"),
              std::string::npos);
    // Only evaluated nodes count: the skipped side of && costs nothing.
    EXPECT_EQ(Expression::parse("false && 1+1+1+1+1+1+1+1+1", limits).evaluate(nullptr),
              json("false"));

    // The largest expressions the default limits allow stay below 10,000 steps.
    std::string source = "input.a";
    while (source.size() < 990) source += "+input.a";
    EXPECT_EQ(evaluate(source, json(R"({"a": 1})")), json("124"));
}

TEST(ExpressionErrors, StopWhenTooMuchTextIsBuilt) {
    ExpressionLimits limits;
    limits.max_string_bytes = 1000;
    const boost::json::value input(std::string(600, 'x'));
    EXPECT_EQ(Expression::parse("(input + '').length", limits).evaluate(input), json("600"));
    EXPECT_NE(error_of("input + input", input, limits).find("too much text"), std::string::npos);

    // With the default budget, doubling a 1 MiB text again and again fails instead of using
    // gigabytes.
    const boost::json::value big(std::string(1 << 20, 'x'));
    std::string source = "input";
    for (int i = 0; i < 100; ++i) source += "+input";
    EXPECT_NE(error_of(source, big).find("too much text"), std::string::npos);
}

TEST(Expression, IsReusableAfterErrorsAndMoves) {
    Expression expression = Expression::parse("input.a.b > 1");
    EXPECT_THROW(expression.evaluate(json("{}")), ExpressionError);
    EXPECT_TRUE(expression.evaluate_truthy(json(R"({"a": {"b": 2}})")));
    Expression moved = std::move(expression);
    EXPECT_EQ(moved.source(), "input.a.b > 1");
    EXPECT_FALSE(moved.evaluate_truthy(json(R"({"a": {"b": 0}})")));
}

}  // namespace
}  // namespace clara::engine
