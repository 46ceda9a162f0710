#include "storage/postgres/jsonb_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "storage/store.hpp"

namespace clara::storage::postgres {
namespace {

TEST(JsonbText, PlainDocumentIsStoredAsItsOwnText) {
    const auto value = boost::json::parse(R"({"a":[1,2.5,"x",null,true],"b":{"c":"\u00e9"}})");
    const auto text = encode_jsonb(value);
    EXPECT_EQ(text, boost::json::serialize(value));
    EXPECT_EQ(decode_jsonb(text, "col"), value);
}

TEST(JsonbText, DocumentWithNulCharacterIsWrappedAndRestored) {
    const auto value = boost::json::parse(R"({"text":"a\u0000b","list":["\u0000"]})");
    const auto text = encode_jsonb(value);
    EXPECT_EQ(text.find('\0'), std::string::npos);
    const auto stored = boost::json::parse(text);
    ASSERT_TRUE(stored.is_object());
    EXPECT_TRUE(stored.as_object().contains(kJsonTextKey));
    EXPECT_EQ(decode_jsonb(text, "col"), value);
}

TEST(JsonbText, NulInAKeyIsWrappedToo) {
    boost::json::object object;
    object[std::string_view("k\0ey", 4)] = 1;
    const boost::json::value value = object;
    EXPECT_EQ(decode_jsonb(encode_jsonb(value), "col"), value);
    EXPECT_NE(encode_jsonb(value), boost::json::serialize(value));
}

TEST(JsonbText, DocumentShapedLikeTheWrapperStaysUnambiguous) {
    boost::json::object lookalike;
    lookalike[kJsonTextKey] = "[1,2]";
    const boost::json::value value = lookalike;
    EXPECT_EQ(decode_jsonb(encode_jsonb(value), "col"), value);
    // With a second key it is not the wrapper's shape and needs no wrapping.
    lookalike["other"] = 1;
    EXPECT_EQ(encode_jsonb(lookalike), boost::json::serialize(lookalike));
}

TEST(JsonbText, InvalidStoredTextIsAStorageErrorNamingTheColumn) {
    try {
        decode_jsonb("{broken", "inputs");
        FAIL() << "expected StorageError";
    } catch (const StorageError& error) {
        EXPECT_NE(std::string(error.what()).find("inputs"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace clara::storage::postgres
