#include "storage/postgres/array_literal.hpp"

#include <gtest/gtest.h>

namespace clara::storage::postgres {
namespace {

TEST(ArrayLiteral, EmptyArrayIsBraces) { EXPECT_EQ(ArrayLiteral().str(), "{}"); }

TEST(ArrayLiteral, QuotesEveryElementAndWritesNullBare) {
    ArrayLiteral literal;
    literal.add("a");
    literal.add_null();
    literal.add("");
    literal.add_optional(std::nullopt);
    literal.add_optional(std::string("NULL"));
    EXPECT_EQ(literal.str(), R"({"a",NULL,"",NULL,"NULL"})");
}

TEST(ArrayLiteral, EscapesQuotesAndBackslashesOnly) {
    ArrayLiteral literal;
    literal.add(R"(a"b\c)");
    literal.add("{x}, y\nz");
    EXPECT_EQ(literal.str(), "{\"a\\\"b\\\\c\",\"{x}, y\nz\"}");
}

}  // namespace
}  // namespace clara::storage::postgres
