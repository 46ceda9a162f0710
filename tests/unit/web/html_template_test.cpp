#include "web/html_template.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace clara::web {
namespace {

TEST(HtmlTemplate, ReplacesEveryPlaceholderWithItsEscapedValue) {
    const auto html =
        render_template("<title>{{title}}</title><h1>{{title}}</h1><a href=\"{{url}}\">",
                        {{"title", "<b>&"}, {"url", "./schema?a=1&b=\"2\""}});
    EXPECT_EQ(html,
              "<title>&lt;b&gt;&amp;</title><h1>&lt;b&gt;&amp;</h1>"
              "<a href=\"./schema?a=1&amp;b=&quot;2&quot;\">");
}

TEST(HtmlTemplate, DoesNotExpandPlaceholdersInsideValues) {
    EXPECT_EQ(render_template("{{a}}", {{"a", "{{b}}"}, {"b", "nope"}}), "{{b}}");
}

TEST(HtmlTemplate, LeavesTextWithoutPlaceholdersAlone) {
    EXPECT_EQ(render_template("<p>{ not } a {placeholder}</p>", {}),
              "<p>{ not } a {placeholder}</p>");
}

TEST(HtmlTemplate, ThrowsNamingAPlaceholderWithoutValue) {
    try {
        render_template("<p>{{missing}}</p>", {{"other", "x"}});
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("missing"), std::string::npos);
    }
}

TEST(HtmlTemplate, ThrowsOnAnUnclosedPlaceholder) {
    EXPECT_THROW(render_template("<p>{{title</p>", {{"title", "x"}}), std::invalid_argument);
}

}  // namespace
}  // namespace clara::web
