#include "web/html_template.hpp"

#include "web/html_escape.hpp"

#include <stdexcept>

namespace clara::web {

std::string render_template(std::string_view text, const TemplateValues& values) {
    std::string out;
    out.reserve(text.size());
    std::size_t position = 0;
    while (true) {
        const auto open = text.find("{{", position);
        if (open == std::string_view::npos) {
            out.append(text.substr(position));
            return out;
        }
        const auto close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            throw std::invalid_argument("template: '{{' without '}}'");
        }
        out.append(text.substr(position, open - position));
        const auto name = text.substr(open + 2, close - open - 2);
        bool found = false;
        for (const auto& [key, value] : values) {
            if (key == name) {
                out += html_escape(value);
                found = true;
                break;
            }
        }
        if (!found) {
            throw std::invalid_argument("template: no value for {{" + std::string(name) + "}}");
        }
        position = close + 2;
    }
}

}  // namespace clara::web
