#include "openapi/input_validator.hpp"

#include "openapi/workflow_schema.hpp"
#include "unit/openapi/test_nodes.hpp"
#include "util/base64.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <ostream>
#include <thread>

namespace clara::openapi {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::make_node;

constexpr std::string_view kPng =
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR42mNgAAIAAAUA"
    "Aen63NgAAAAASUVORK5CYII=";

/// The schema the builder writes for a flow with one node of each kind.
json::object sample_schema() {
    engine::WorkflowDocument document;
    document.nodes = {
        make_node("1", "input", {{"label", "Text"}, {"required", true}}),
        make_node("2", "input", {{"label", "Count"}, {"inputType", "number"}, {"value", "1"}}),
        make_node("3", "input", {{"label", "Flag"}, {"inputType", "boolean"}, {"value", "true"}}),
        make_node("4", "input", {{"label", "Payload"}, {"inputType", "json"}, {"value", "{}"}}),
        make_node("5", "image-input", {{"label", "Photo"}, {"imageFile", "iVBORw0KGgo="}}),
        make_node("6", "pdf-input", {{"label", "Paper"}, {"pdfFile", "JVBERi0="}}),
        make_node("7", "file-upload", {{"label", "Upload"}, {"outputs", {{"content", "x"}}}}),
    };
    engine::Diagnostics diag;
    return build_input_schema(document, engine::assign_fields(document, diag));
}

std::vector<std::string> validate(std::string_view body) {
    static const auto validator = InputValidator::from_schema(sample_schema());
    return validator.validate(json::parse(body).as_object());
}

struct BodyCase {
    std::string body;
    std::vector<std::string> problems;
};

void PrintTo(const BodyCase& c, std::ostream* os) {
    *os << c.body;
}

class ValidateBody : public ::testing::TestWithParam<BodyCase> {};

TEST_P(ValidateBody, ReportsExactlyTheExpectedProblems) {
    EXPECT_EQ(validate(GetParam().body), GetParam().problems) << GetParam().body;
}

INSTANTIATE_TEST_SUITE_P(
    Valid,
    ValidateBody,
    ::testing::Values(
        BodyCase{R"({"text":"hi"})", {}},
        BodyCase{R"({"text":"hi","count":1.5,"flag":false,"payload":[1,2]})", {}},
        BodyCase{R"({"text":"hi","payload":"not an object"})", {}},
        BodyCase{R"({"text":"hi","count":null,"photo":null})", {}},  // null = absent
        BodyCase{R"({"text":"hi","photo":"iVBORw0KGgo="})", {}},
        BodyCase{R"({"text":"hi","photo":")" + std::string(kPng) + R"("})", {}},
        BodyCase{R"({"text":"hi","paper":"data:application/pdf;base64,JVBERi0="})", {}},
        BodyCase{R"({"text":"hi","paper":"JVBERi0xLjQ="})", {}},
        BodyCase{R"({"text":"hi","upload":"SGVsbG8="})", {}},
        BodyCase{R"({"text":"hi","upload":{"data":"data:text/plain;base64,SGVsbG8=",
                                           "name":"a.txt","type":"text/plain","size":5}})", {}},
        BodyCase{R"({"text":"hi","upload":{"file":"SGVsbG8="}})", {}}));

INSTANTIATE_TEST_SUITE_P(
    Invalid,
    ValidateBody,
    ::testing::Values(
        BodyCase{R"({})", {"Missing required field: text"}},
        BodyCase{R"({"text":null})", {"Missing required field: text"}},
        BodyCase{R"({"text":""})", {"Missing required field: text"}},
        BodyCase{R"({"text":5})", {"Field 'text' must be a string"}},
        BodyCase{R"({"text":"hi","count":"5"})", {"Field 'count' must be a number"}},
        BodyCase{R"({"text":"hi","flag":"true"})", {"Field 'flag' must be a boolean"}},
        BodyCase{R"({"text":"hi","other":1})", {"Unknown field: other"}},
        BodyCase{R"({"count":"x","text":"hi","zzz":null})",
                 {"Field 'count' must be a number", "Unknown field: zzz"}},
        BodyCase{R"({"extra":1,"count":true})",
                 {"Missing required field: text", "Unknown field: extra",
                  "Field 'count' must be a number"}},
        BodyCase{R"({"text":"hi","photo":"not base64!"})",
                 {"Field 'photo' must be a base64 string or data URL"}},
        BodyCase{R"({"text":"hi","photo":"data:text/plain;base64,SGVsbG8="})",
                 {"Field 'photo' must be a base64 string or data URL"}},
        BodyCase{R"({"text":"hi","photo":"data:image/png;base64,@@@"})",
                 {"Field 'photo' must be a base64 string or data URL"}},
        BodyCase{R"({"text":"hi","photo":"data:image/png,rawdata"})",
                 {"Field 'photo' must be a base64 string or data URL"}},
        BodyCase{R"({"text":"hi","photo":42})", {"Field 'photo' must be a string"}},
        BodyCase{R"({"text":"hi","paper":"%PDF-1.4"})",
                 {"Field 'paper' must be a base64 string or data URL"}},
        BodyCase{R"({"text":"hi","upload":"@@"})",
                 {"Field 'upload' must be a base64 string or data URL"}},
        BodyCase{R"({"text":"hi","upload":7})",
                 {"Field 'upload' must be a base64 string, data URL or file object"}},
        BodyCase{R"({"text":"hi","upload":{"name":"a.txt"}})",
                 {"Field 'upload' must have a 'data' or 'file' property"}},
        BodyCase{R"({"text":"hi","upload":{"data":"@@","name":1,"size":"5"}})",
                 {"Field 'upload.data' must be a base64 string or data URL",
                  "Field 'upload.name' must be a string",
                  "Field 'upload.size' must be a number"}}));

TEST(InputValidator, ChecksObjectArrayAndIntegerTypes) {
    const auto validator = InputValidator::from_schema(json::parse(R"({"type":"object",
        "properties":{"o":{"type":"object"},"a":{"type":"array"},"i":{"type":"integer"}},
        "required":["o"]})").as_object());
    EXPECT_THAT(validator.validate(json::parse(R"({"o":[],"a":{},"i":"1"})").as_object()),
                ElementsAre("Field 'o' must be an object", "Field 'a' must be an array",
                            "Field 'i' must be an integer"));
    EXPECT_THAT(validator.validate(json::parse(R"({"o":{},"i":1.5})").as_object()),
                ElementsAre("Field 'i' must be an integer"));
    EXPECT_THAT(validator.validate(json::parse(R"({"o":{},"a":[],"i":2})").as_object()),
                IsEmpty());
}

TEST(InputValidator, NamesEveryAllowedTypeOfAMismatch) {
    const auto validator = InputValidator::from_schema(json::parse(R"({"properties":{
        "either":{"oneOf":[{"type":"string"},{"type":"number"}]},
        "list":{"type":["array","boolean","object"]}}})").as_object());
    EXPECT_THAT(validator.validate(json::parse(R"({"either":true,"list":"x"})").as_object()),
                ElementsAre("Field 'either' must be a string or a number",
                            "Field 'list' must be an array, a boolean or an object"));
    EXPECT_THAT(validator.validate(json::parse(R"({"either":"x","list":false})").as_object()),
                IsEmpty());
}

TEST(InputValidator, ListsEveryMissingRequiredFieldInSchemaOrder) {
    const auto validator = InputValidator::from_schema(json::parse(R"({"type":"object",
        "properties":{"a":{"type":"string"},"b":{"type":"number"},"c":{}},
        "required":["c","a","b"]})").as_object());
    EXPECT_THAT(validator.validate(json::parse(R"({"a":"","b":null})").as_object()),
                ElementsAre("Missing required field: c", "Missing required field: a",
                            "Missing required field: b"));
    EXPECT_THAT(validator.validate(json::parse(R"({"a":"x","b":0,"c":false})").as_object()),
                IsEmpty());
}

TEST(InputValidator, RefusesEveryExtraFieldEvenWhenTheSchemaAllowsThem) {
    // Unknown fields are refused whatever `additionalProperties` says (deployment-api.md § 6.1).
    for (const auto* additional : {R"("additionalProperties":false,)",
                                   R"("additionalProperties":true,)", ""}) {
        const auto validator = InputValidator::from_schema(
            json::parse(std::string(R"({"type":"object",)") + additional +
                        R"("properties":{"known":{"type":"string"}}})")
                .as_object());
        EXPECT_THAT(validator.validate(json::parse(
                        R"({"one":1,"known":"k","two":null,"three":{"x":[]}})").as_object()),
                    ElementsAre("Unknown field: one", "Unknown field: two",
                                "Unknown field: three"))
            << additional;
    }
}

TEST(InputValidator, RejectsEverythingWithoutProperties) {
    const auto validator = InputValidator::from_schema(json::object{{"type", "object"}});
    EXPECT_THAT(validator.validate(json::parse(R"({"a":1})").as_object()),
                ElementsAre("Unknown field: a"));
    EXPECT_THAT(validator.validate(json::object{}), IsEmpty());
    EXPECT_THAT(InputValidator().validate(json::parse(R"({"b":2})").as_object()),
                ElementsAre("Unknown field: b"));
}

TEST(InputValidator, AcceptsAWholeSimpleSchema) {
    json::object simple;
    simple["input"] = sample_schema();
    simple["output"] = json::object{};
    const auto validator = InputValidator::from_schema(simple);
    EXPECT_THAT(validator.validate(json::object{}), ElementsAre("Missing required field: text"));
}

TEST(InputValidator, CompilesKindsFromTheSchema) {
    const auto validator = InputValidator::from_schema(sample_schema());
    using Kind = InputValidator::Kind;
    EXPECT_EQ(validator.kind_of("text"), Kind::kString);
    EXPECT_EQ(validator.kind_of("count"), Kind::kNumber);
    EXPECT_EQ(validator.kind_of("flag"), Kind::kBoolean);
    EXPECT_EQ(validator.kind_of("payload"), Kind::kAny);
    EXPECT_EQ(validator.kind_of("photo"), Kind::kImage);
    EXPECT_EQ(validator.kind_of("paper"), Kind::kBinary);
    EXPECT_EQ(validator.kind_of("upload"), Kind::kFileUpload);
    EXPECT_EQ(validator.kind_of("nope"), std::nullopt);
}

TEST(InputValidator, AcceptsAnyNestedValueForJsonInputs) {
    EXPECT_THAT(validate(R"({"text":"hi","payload":{"a":[1,{"b":null,"c":[true,"x",{}]}],
                                                    "d":{"e":{"f":{"g":-1.5e3}}}}})"),
                IsEmpty());
    EXPECT_THAT(validate(R"({"text":"hi","payload":[[[[]]],null,"s",0]})"), IsEmpty());
    EXPECT_THAT(validate(R"({"text":"hi","payload":false})"), IsEmpty());
}

TEST(InputValidator, ReportsNestedProblemsWithTheirPaths) {
    const auto validator = InputValidator::from_schema(json::parse(R"({"type":"object",
        "properties":{"address":{"type":"object","required":["city"],
            "properties":{"city":{"type":"string"},"zip":{"type":"number"},
                          "tags":{"type":"array","items":{"type":"string"}},
                          "geo":{"type":"object","additionalProperties":false,
                                 "properties":{"lat":{"type":"number"}}}}}}})").as_object());
    EXPECT_THAT(validator.validate(json::parse(R"({"address":{"zip":"x","tags":["a",2,"c",false],
                                                              "geo":{"lat":"n","alt":3}}})")
                                       .as_object()),
                ElementsAre("Missing required field: address.city",
                            "Field 'address.zip' must be a number",
                            "Field 'address.tags[1]' must be a string",
                            "Field 'address.tags[3]' must be a string",
                            "Field 'address.geo.lat' must be a number",
                            "Unknown field: address.geo.alt"));
    EXPECT_THAT(validator.validate(json::parse(R"({"address":"Main St"})").as_object()),
                ElementsAre("Field 'address' must be an object"));
    EXPECT_THAT(validator.validate(json::parse(R"({"address":{"city":"c","zip":null,
                                                              "tags":[],"geo":{"lat":1}}})")
                                       .as_object()),
                IsEmpty());
}

TEST(InputValidator, TreatsNullAsAbsent) {
    // Optional fields of every kind may be null, and so may the members of a file object.
    EXPECT_THAT(validate(R"({"text":"hi","count":null,"flag":null,"payload":null,"photo":null,
                             "paper":null,"upload":null})"),
                IsEmpty());
    EXPECT_THAT(validate(R"({"text":"hi","upload":{"data":null,"file":"SGVsbG8=","name":null,
                                                   "type":null,"size":null}})"),
                IsEmpty());
    EXPECT_THAT(validate(R"({"text":"hi","upload":{"data":null,"file":null}})"),
                ElementsAre("Field 'upload' must have a 'data' or 'file' property"));
    EXPECT_THAT(validate(R"({"text":null,"count":null})"),
                ElementsAre("Missing required field: text"));
}

TEST(InputValidator, ListsEveryProblemAtOnceInBodyOrder) {
    EXPECT_THAT(validate(R"({"upload":{"size":"big","name":7},"extra":[],"flag":"yes",
                             "photo":"data:text/plain;base64,SGVsbG8=","count":{},
                             "paper":"%PDF","more":null,"text":""})"),
                ElementsAre("Missing required field: text",
                            "Field 'upload' must have a 'data' or 'file' property",
                            "Field 'upload.size' must be a number",
                            "Field 'upload.name' must be a string",
                            "Unknown field: extra",
                            "Field 'flag' must be a boolean",
                            "Field 'photo' must be a base64 string or data URL",
                            "Field 'count' must be a number",
                            "Field 'paper' must be a base64 string or data URL",
                            "Unknown field: more"));
}

TEST(InputValidator, ChecksHugeStrings) {
    // Strings of millions of characters, valid and invalid, in fields of each kind.
    const std::string text(4'000'000, 'x');
    const auto bytes = std::string(1'500'000, '\x7f');
    const auto image = "data:image/png;base64," + util::base64_encode(bytes);
    json::object body{{"text", text}, {"photo", image}, {"upload", util::base64_encode(bytes)}};
    EXPECT_THAT(validate(json::serialize(body)), IsEmpty());

    body["count"] = text;
    body["paper"] = text + "!";
    body[text] = 1;  // a huge unknown name is echoed as it is
    EXPECT_THAT(validate(json::serialize(body)),
                ElementsAre("Field 'count' must be a number",
                            "Field 'paper' must be a base64 string or data URL",
                            "Unknown field: " + text));
}

TEST(InputValidator, RefusesBadBase64) {
    for (const std::string bad : {"abcde", "SGVsbG8===", "SG=Vs", "SGVs*bG8=", "@@@@",
                                  "data:image/png;base64,SGVsb", "data:image/png,SGVsbG8=",
                                  "data:image/png;base64,SGVsbG8=\u00e9"}) {
        const auto body = R"({"text":"t","photo":")" + bad + R"(","paper":")" + bad +
                          R"(","upload":{"file":")" + bad + R"("}})";
        EXPECT_THAT(validate(body),
                    ElementsAre("Field 'photo' must be a base64 string or data URL",
                                "Field 'paper' must be a base64 string or data URL",
                                "Field 'upload.file' must be a base64 string or data URL"))
            << bad;
    }
    // Padding is optional and ASCII whitespace is skipped; only images need an image type.
    EXPECT_THAT(validate(R"({"text":"t","photo":"SGVsbG8","paper":"SGVs\nbG8=",
                             "upload":"data:;base64,SGVsbG8="})"),
                IsEmpty());
    EXPECT_THAT(validate(R"({"text":"t","photo":"data:;base64,SGVsbG8="})"),
                ElementsAre("Field 'photo' must be a base64 string or data URL"));
}

TEST(InputValidator, SurvivesSchemasItCannotUse) {
    // Malformed keywords are left out; the field names and required list still apply.
    const auto validator = InputValidator::from_schema(json::parse(R"({"type":7,
        "properties":{"a":{"type":"strange","required":"x","items":1,"oneOf":[]},
                      "b":5,"c":{"type":["number",3],"$ref":"#/nowhere","pattern":"(a*)*b"},
                      "$ref":{"type":"boolean"}},
        "required":["a",9]})").as_object());
    EXPECT_THAT(validator.validate(json::parse(R"({"b":{},"c":"s","d":1,"$ref":0})").as_object()),
                ElementsAre("Missing required field: a", "Field 'c' must be a number",
                            "Unknown field: d", "Field '$ref' must be a boolean"));
    EXPECT_THAT(validator.validate(json::parse(R"({"a":[1],"c":2,"$ref":true})").as_object()),
                IsEmpty());
}

TEST(InputValidator, CopiesShareTheCompiledSchema) {
    const auto original = InputValidator::from_schema(sample_schema());
    const InputValidator copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_THAT(copy.validate(json::parse(R"({"text":1})").as_object()),
                ElementsAre("Field 'text' must be a string"));
    EXPECT_EQ(copy.kind_of("photo"), InputValidator::Kind::kImage);
}

TEST(InputValidator, ValidatesFromManyThreadsAtOnce) {
    const auto validator = InputValidator::from_schema(sample_schema());
    const std::vector<std::string> bodies = {
        R"({"text":"hi","count":2,"photo":"iVBORw0KGgo="})",
        R"({"extra":1,"count":true,"upload":{"data":"@@","name":1}})",
        R"({"text":"hi","upload":{"file":"SGVsbG8="},"payload":{"a":[1,2]}})",
        R"({"text":5,"flag":"x","paper":"%PDF","photo":42})",
    };
    std::vector<json::object> parsed;
    std::vector<std::vector<std::string>> expected;
    for (const auto& body : bodies) {
        parsed.push_back(json::parse(body).as_object());
        expected.push_back(validator.validate(parsed.back()));
    }
    ASSERT_THAT(expected[0], IsEmpty());
    ASSERT_EQ(expected[1].size(), 5u);

    constexpr int kThreads = 8;
    constexpr int kRounds = 300;
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < kRounds; ++round) {
                const auto i = static_cast<std::size_t>(t + round) % parsed.size();
                if (validator.validate(parsed[i]) != expected[i]) {
                    ++mismatches;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(mismatches.load(), 0);
}

TEST(SanitizeInputs, RemovesNulCharactersAtAnyDepth) {
    auto body = json::parse(R"({"a":"x\u0000y","b":{"c":["\u0000z\u0000",1]},"d":5})")
                    .as_object();
    EXPECT_EQ(sanitize_inputs(body), std::nullopt);
    EXPECT_EQ(json::value(body), json::parse(R"({"a":"xy","b":{"c":["z",1]},"d":5})"));
}

TEST(SanitizeInputs, RejectsHugeMostlyWhitespaceStrings) {
    json::object body;
    body["ok"] = "fine";
    body["text"] = std::string(1'000'001, ' ') + "abc";
    EXPECT_EQ(sanitize_inputs(body), "Field 'text' contains excessive whitespace");

    json::object nested;
    nested["outer"] = json::object{{"inner", json::array{std::string(1'200'000, '\n')}}};
    EXPECT_EQ(sanitize_inputs(nested), "Field 'outer.inner[0]' contains excessive whitespace");
}

TEST(SanitizeInputs, KeepsLongStringsWithEnoughContent) {
    json::object body;
    // 10 % and more non-whitespace passes; so does exactly 1,000,000 characters of spaces.
    body["dense"] = std::string(900'000, ' ') + std::string(100'001, 'x');
    body["limit"] = std::string(1'000'000, ' ');
    EXPECT_EQ(sanitize_inputs(body), std::nullopt);
}

TEST(SanitizeInputs, CountsNoBreakSpaceAsWhitespace) {
    std::string text;
    for (int i = 0; i < 600'000; ++i) {
        text += "\xC2\xA0";  // U+00A0: 2 bytes, one character
    }
    json::object body{{"nbsp", text}};
    EXPECT_EQ(sanitize_inputs(body), std::nullopt);  // 600,000 characters: under the limit
    text += text;
    body["nbsp"] = text;
    EXPECT_EQ(sanitize_inputs(body), "Field 'nbsp' contains excessive whitespace");
}

TEST(SanitizeInputs, CountsAstralCharactersAsTwoUnits) {
    // 50,000 emoji are 100,000 UTF-16 units: 1,000,001 characters, under 10 % content.
    std::string text(900'001, ' ');
    for (int i = 0; i < 50'000; ++i) {
        text += "\xF0\x9F\x98\x80";  // U+1F600
    }
    json::object body{{"emoji", text}};
    EXPECT_EQ(sanitize_inputs(body), "Field 'emoji' contains excessive whitespace");
    body["emoji"] = text + "x";
    EXPECT_EQ(sanitize_inputs(body), std::nullopt);
}

TEST(SanitizeInputs, RemovesNulBeforeMeasuring) {
    json::object body{{"t", std::string(1'000'005, '\0')}};
    EXPECT_EQ(sanitize_inputs(body), std::nullopt);
    EXPECT_EQ(body.at("t"), "");
}

TEST(EchoableProperties, WithholdsSchemasWithLargeDefaults) {
    auto schema = sample_schema();
    const auto small = echoable_properties(schema);
    ASSERT_TRUE(small.has_value());
    EXPECT_EQ(*small, schema.at("properties").as_object());
    schema["properties"].as_object()["text"].as_object()["default"] = std::string(5000, 'x');
    EXPECT_EQ(echoable_properties(schema), std::nullopt);
}

}  // namespace
}  // namespace clara::openapi
