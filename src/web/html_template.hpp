#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clara::web {

/// Values for the `{{name}}` placeholders of a template.
using TemplateValues = std::vector<std::pair<std::string, std::string>>;

/// Replaces every `{{name}}` of `text` with the HTML-escaped value of `name`. Throws
/// std::invalid_argument naming the placeholder when a value is missing or a `{{` is not closed,
/// so a template and its code cannot drift apart unnoticed.
std::string render_template(std::string_view text, const TemplateValues& values);

}  // namespace clara::web
