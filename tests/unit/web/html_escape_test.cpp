#include "web/html_escape.hpp"

#include <gtest/gtest.h>

namespace clara::web {
namespace {

TEST(HtmlEscape, EscapesEveryMarkupCharacter) {
    EXPECT_EQ(html_escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    EXPECT_EQ(html_escape("a & b"), "a &amp; b");
    EXPECT_EQ(html_escape("\"double\" 'single'"), "&quot;double&quot; &#39;single&#39;");
}

TEST(HtmlEscape, EscapesAnAttributeBreakout) {
    EXPECT_EQ(html_escape("x\" onload=\"alert(1)"), "x&quot; onload=&quot;alert(1)");
}

TEST(HtmlEscape, KeepsPlainTextAndUtf8Unchanged) {
    EXPECT_EQ(html_escape("Greeter v2 (beta)"), "Greeter v2 (beta)");
    EXPECT_EQ(html_escape("Résumé → 日本"), "Résumé → 日本");
    EXPECT_EQ(html_escape(""), "");
}

TEST(HtmlEscape, EscapesAmpersandsOfExistingReferencesAgain) {
    // Text is text: "&lt;" typed by a user must show as "&lt;", not as "<".
    EXPECT_EQ(html_escape("&lt;"), "&amp;lt;");
}

}  // namespace
}  // namespace clara::web
