#include "engine/field_map.hpp"

#include "unit/openapi/test_nodes.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <ostream>
#include <stdexcept>

namespace clara::engine {
namespace {

using openapi::testing::make_node;

struct NameCase {
    std::string label;
    std::string expected;
};

void PrintTo(const NameCase& c, std::ostream* os) {
    *os << '"' << c.label << "\" -> \"" << c.expected << '"';
}

class FieldNameExamples : public ::testing::TestWithParam<NameCase> {};

TEST_P(FieldNameExamples, MatchesTheOriginalFieldName) {
    EXPECT_EQ(field_name(GetParam().label), GetParam().expected) << GetParam().label;
}

// Every example of deployment-api.md § 4.1, then edge cases of the algorithm.
INSTANTIATE_TEST_SUITE_P(
    SpecExamples,
    FieldNameExamples,
    ::testing::Values(NameCase{"Tell me what to do", "tellMeWhatToDo"},
                      NameCase{"Research Topic", "researchTopic"},
                      NameCase{"User Name", "userName"},
                      NameCase{"user  name", "userName"},
                      NameCase{"user_name", "username"},
                      NameCase{"hello-world", "helloworld"},
                      NameCase{"\xC3\x89tape 1", "tape1"},  // "Étape 1"
                      NameCase{"!!!", "input"},
                      NameCase{"1760359856179-gch4upiuh", "1760359856179gch4upiuh"},
                      NameCase{"output-analysis", "outputanalysis"},
                      NameCase{"AI Response", "aIResponse"},
                      NameCase{"a -b", "ab"},
                      NameCase{"How can i help you", "howCanIHelpYou"},
                      NameCase{"Image Input", "imageInput"},
                      NameCase{"File Upload", "fileUpload"}));

INSTANTIATE_TEST_SUITE_P(
    EdgeCases,
    FieldNameExamples,
    ::testing::Values(NameCase{"", "input"},
                      NameCase{"   ", "input"},
                      NameCase{"  Trailing  ", "trailing"},
                      NameCase{"a _b", "ab"},          // '_' takes the upper-casing, then goes
                      NameCase{"_Foo", "Foo"},         // only an initial A-Z is lower-cased
                      NameCase{"ABC def", "aBCDef"},   // the rest of an acronym keeps its case
                      NameCase{"! ab cd", "abCd"},     // whitespace exposed by step 2
                      NameCase{"a \xC3\xA9 b", "aB"},  // "a é b": deletion joins the runs
                      NameCase{"x\t\nY z", "xYZ"},
                      NameCase{"a\xFF" "b", "ab"},     // malformed UTF-8 is dropped
                      NameCase{"Score 2nd", "score2nd"},
                      NameCase{"\xF0\x9F\x98\x80 Smile", "smile"}));  // emoji

INSTANTIATE_TEST_SUITE_P(
    JavaScriptWhitespace,
    FieldNameExamples,
    ::testing::Values(NameCase{"user\xC2\xA0name", "userName"},             // U+00A0
                      NameCase{"user\xE1\x9A\x80name", "userName"},         // U+1680
                      NameCase{"user\xE2\x80\x80name", "userName"},         // U+2000
                      NameCase{"user\xE2\x80\x8Aname", "userName"},         // U+200A
                      NameCase{"user\xE2\x80\xA8name", "userName"},         // U+2028
                      NameCase{"user\xE2\x80\xA9name", "userName"},         // U+2029
                      NameCase{"user\xE2\x80\xAFname", "userName"},         // U+202F
                      NameCase{"user\xE2\x81\x9Fname", "userName"},         // U+205F
                      NameCase{"user\xE3\x80\x80name", "userName"},         // U+3000
                      NameCase{"user\xEF\xBB\xBFname", "userName"},         // U+FEFF
                      NameCase{"user\x0B\x0Cname", "userName"},             // VT, FF
                      NameCase{"\xEF\xBB\xBF\xC2\xA0Name\xE3\x80\x80", "name"},  // trimmed
                      NameCase{"user\xE2\x80\x8Bname", "username"},         // U+200B is not
                      NameCase{"user\xE1\xA0\x8Ename", "username"}));       // U+180E is not

TEST(EntryType, RecognisesTheFourEntryTypes) {
    for (const auto* type : {"input", "image-input", "pdf-input", "file-upload"}) {
        EXPECT_TRUE(is_entry_type(type)) << type;
    }
    for (const auto* type : {"output", "llm", "static-text", "Input", ""}) {
        EXPECT_FALSE(is_entry_type(type)) << type;
    }
}

TEST(AssignFields, SuffixesCollidingInputsInNodeOrderWithWarnings) {
    WorkflowDocument document;
    document.nodes = {make_node("a", "input", {{"label", "Input"}}),
                      make_node("llm", "llm", {{"label", "Input"}}),
                      make_node("b", "input", {{"label", "Input"}}),
                      make_node("c", "image-input", {{"label", "Input"}})};
    Diagnostics diag;
    const auto map = assign_fields(document, diag);
    ASSERT_EQ(map.inputs.size(), 3u);
    EXPECT_EQ(map.inputs[0].field, "input");
    EXPECT_EQ(map.inputs[0].node_id, "a");
    EXPECT_EQ(map.inputs[1].field, "input2");
    EXPECT_EQ(map.inputs[1].node_id, "b");
    EXPECT_EQ(map.inputs[2].field, "input3");
    EXPECT_EQ(map.inputs[2].node_id, "c");
    EXPECT_TRUE(map.outputs.empty());
    EXPECT_TRUE(diag.errors.empty());
    ASSERT_EQ(diag.warnings.size(), 2u);
    EXPECT_EQ(diag.warnings[0], "duplicate field name 'input' for node b; using 'input2'");
    EXPECT_EQ(diag.warnings[1], "duplicate field name 'input' for node c; using 'input3'");
}

TEST(AssignFields, SkipsSuffixesAlreadyTakenByOtherLabels) {
    WorkflowDocument document;
    document.nodes = {make_node("a", "input", {{"label", "Input"}}),
                      make_node("b", "input", {{"label", "Input 2"}}),
                      make_node("c", "input", {{"label", "Input"}})};
    Diagnostics diag;
    const auto map = assign_fields(document, diag);
    ASSERT_EQ(map.inputs.size(), 3u);
    EXPECT_EQ(map.inputs[1].field, "input2");
    EXPECT_EQ(map.inputs[2].field, "input3");
    EXPECT_EQ(diag.warnings.size(), 1u);
}

TEST(AssignFields, TakesFirstNonEmptyStringOfLabelInputLabelAndId) {
    WorkflowDocument document;
    document.nodes = {
        make_node("n1", "input", {{"label", "Topic"}, {"inputLabel", "Other"}}),
        make_node("n2", "pdf-input", {{"label", ""}, {"inputLabel", "Document"}}),
        make_node("n3", "file-upload", {{"label", 5}, {"inputLabel", nullptr}}),
        make_node("1760359856179-gch4upiuh", "input"),
    };
    Diagnostics diag;
    const auto map = assign_fields(document, diag);
    ASSERT_EQ(map.inputs.size(), 4u);
    EXPECT_EQ(map.inputs[0].field, "topic");
    EXPECT_EQ(map.inputs[1].field, "document");
    EXPECT_EQ(map.inputs[2].field, "n3");
    EXPECT_EQ(map.inputs[3].field, "1760359856179gch4upiuh");
    EXPECT_TRUE(diag.warnings.empty());
}

TEST(AssignFields, NamesOutputsFromOutputLabelOrIdNeverLabel) {
    WorkflowDocument document;
    document.nodes = {
        make_node("output-analysis", "output", {{"label", "Research Analysis"}}),
        make_node("o2", "output", {{"outputLabel", "Final Answer"}, {"label", "Ignored"}}),
    };
    Diagnostics diag;
    const auto map = assign_fields(document, diag);
    ASSERT_EQ(map.outputs.size(), 2u);
    EXPECT_EQ(map.outputs[0].field, "outputanalysis");
    EXPECT_EQ(map.outputs[1].field, "finalAnswer");
    EXPECT_TRUE(map.inputs.empty());
}

TEST(AssignFields, KeepsSectionsIndependent) {
    WorkflowDocument document;
    document.nodes = {make_node("i", "input", {{"label", "Result"}}),
                      make_node("o", "output", {{"outputLabel", "Result"}}),
                      make_node("o2", "output", {{"outputLabel", "Result"}})};
    Diagnostics diag;
    const auto map = assign_fields(document, diag);
    EXPECT_EQ(map.inputs.at(0).field, "result");
    EXPECT_EQ(map.outputs.at(0).field, "result");
    EXPECT_EQ(map.outputs.at(1).field, "result2");
    ASSERT_EQ(diag.warnings.size(), 1u);
    EXPECT_EQ(diag.warnings[0], "duplicate field name 'result' for node o2; using 'result2'");
}

TEST(FieldMapJson, RoundTripsAndKeepsOrder) {
    FieldMap map;
    map.inputs = {{"zeta", "n1"}, {"alpha", "n2"}};
    map.outputs = {{"result", "o1"}};
    const auto json = to_json(map);
    EXPECT_EQ(boost::json::serialize(json),
              R"({"inputs":{"zeta":"n1","alpha":"n2"},"outputs":{"result":"o1"}})");
    const auto back = field_map_from_json(json);
    ASSERT_EQ(back.inputs.size(), 2u);
    EXPECT_EQ(back.inputs[0].field, "zeta");
    EXPECT_EQ(back.inputs[1].node_id, "n2");
    ASSERT_EQ(back.outputs.size(), 1u);
    EXPECT_EQ(back.outputs[0].field, "result");
    EXPECT_EQ(back.outputs[0].node_id, "o1");
}

TEST(FieldMapJson, RejectsOtherShapes) {
    for (const auto* text : {R"([])", R"({"inputs":{}})", R"({"inputs":[],"outputs":{}})",
                             R"({"inputs":{"a":1},"outputs":{}})"}) {
        EXPECT_THROW(field_map_from_json(boost::json::parse(text)), std::invalid_argument)
            << text;
    }
}

}  // namespace
}  // namespace clara::engine
