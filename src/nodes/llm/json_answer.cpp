#include "nodes/llm/json_answer.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <string>

namespace clara::nodes::llm {
namespace json = boost::json;

namespace {

std::optional<json::value> try_parse(std::string_view text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec) {
        return std::nullopt;
    }
    return value;
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

/// Removes every `marker` together with the whitespace that follows it.
std::string remove_marker(std::string text, std::string_view marker) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
        const auto found = text.find(marker, pos);
        if (found == std::string::npos) {
            out.append(text, pos);
            return out;
        }
        out.append(text, pos, found - pos);
        pos = found + marker.size();
        while (pos < text.size() && is_space(text[pos])) {
            ++pos;
        }
    }
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

/// first `open` … last `close`, or nullopt when there is no such span.
std::optional<std::string_view> span(std::string_view text, char open, char close) {
    const auto first = text.find(open);
    const auto last = text.rfind(close);
    if (first == std::string_view::npos || last == std::string_view::npos || last <= first) {
        return std::nullopt;
    }
    return text.substr(first, last - first + 1);
}

}  // namespace

std::optional<json::value> parse_json_answer(std::string_view raw) {
    const std::string unfenced = remove_marker(remove_marker(std::string(raw), "```json"), "```");
    std::string_view text = trim(unfenced);
    if (const auto object = span(text, '{', '}')) {
        text = *object;
    }
    if (auto value = try_parse(text)) {
        return value;
    }
    if (const auto object = span(raw, '{', '}')) {
        if (auto value = try_parse(*object)) {
            return value;
        }
    }
    if (const auto array = span(raw, '[', ']')) {
        if (auto value = try_parse(*array)) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace clara::nodes::llm
