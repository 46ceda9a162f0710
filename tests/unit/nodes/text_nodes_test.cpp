#include "nodes/node_types.hpp"

#include "unit/nodes/node_test_support.hpp"

namespace clara::nodes {
namespace {

using testing::json;
using testing::NodeHarness;

TEST(StaticTextNode, EmitsTextWithLegacyFallbacks) {
    EXPECT_EQ(NodeHarness("static-text", R"({"text":"a"})").run(), json(R"({"text":"a"})"));
    EXPECT_EQ(NodeHarness("static-text", R"({"customText":"b"})").run(), json(R"({"text":"b"})"));
    EXPECT_EQ(NodeHarness("static-text", R"({"text":"","value":"c"})").run(), json(R"({"text":"c"})"));
    EXPECT_EQ(NodeHarness("static-text", "{}").run(), json(R"({"text":""})"));
}

TEST(StaticTextNode, ParsesJsonFormatAndWarnsWhenItCannot) {
    EXPECT_EQ(NodeHarness("static-text", R"({"text":"{\"k\":2}","textFormat":"json"})").run(),
              json(R"({"text":{"k":2}})"));
    NodeHarness broken("static-text", R"({"text":"{k","textFormat":"json"})");
    EXPECT_EQ(broken.diagnostics().warnings.size(), 1u);
    EXPECT_EQ(broken.run(), json(R"({"text":"{k"})"));
}

std::string combined(std::string_view data, const char* t1, const char* t2) {
    NodeHarness node("combine-text", data);
    if (t1 != nullptr) {
        node.input("text1", boost::json::string(t1));
    }
    if (t2 != nullptr) {
        node.input("text2", boost::json::string(t2));
    }
    const auto result = node.run();
    return std::string(result->at("combined").as_string());
}

TEST(CombineTextNode, UsesStudioSemanticsForUntouchedNodes) {
    EXPECT_EQ(combined("{}", "Hello", "World"), "Hello World");
    EXPECT_EQ(combined("{}", "abc", nullptr), "abc ");  // the Studio inserts the space anyway
    EXPECT_EQ(combined(R"({"addSpaces":false})", "a", "b"), "ab");
    EXPECT_EQ(combined(R"({"combineMode":"separator","separator":"|"})", "a", "b"), "a | b");
    EXPECT_EQ(combined(R"({"combineMode":"separator","separator":"|","addSpaces":false})", "a", "b"), "a|b");
    EXPECT_EQ(combined(R"({"combineMode":"prefix"})", "a", "b"), "b a");
}

TEST(CombineTextNode, ReportsMissingTextsInMetadata) {
    NodeHarness node("combine-text");
    const auto result = node.run();
    EXPECT_EQ(result->at("combined"), "");
    EXPECT_EQ(result->at("metadata").at("error"), "No text inputs provided");
}

TEST(CombineTextNode, UsesSdkSemanticsWhenModeIsSet) {
    EXPECT_EQ(combined(R"({"mode":"newline"})", "a", "b"), "a\nb");
    EXPECT_EQ(combined(R"({"mode":"comma"})", "a", "b"), "a, b");
    EXPECT_EQ(combined(R"({"mode":"custom","customSeparator":"--"})", "a", "b"), "a--b");
    EXPECT_EQ(combined(R"({"mode":"newline"})", "", "b"), "b");
}

TEST(CombineTextNode, UsesServerSemanticsWhenOnlySeparatorIsSet) {
    EXPECT_EQ(combined(R"({"separator":" + "})", "a", "b"), "a + b");
    EXPECT_EQ(combined(R"({"separator":""})", "a", "b"), "a b");
}

TEST(CombineTextNode, CoercesNonTextInputsAndReadsAliases) {
    NodeHarness node("combine-text");
    node.input("input1", json("1.5")).input("text2", json(R"({"a":[true,null]})"));
    const auto result = node.run();
    EXPECT_EQ(result->at("combined"), R"(1.5 {"a":[true,null]})");
    EXPECT_EQ(result->at("metadata").at("text1Length"), 3);
    EXPECT_EQ(result->at("metadata").at("combinedLength"), 21);
}

}  // namespace
}  // namespace clara::nodes
