#include "nodes/services/url_encoding.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>

namespace clara::nodes {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

void append_percent(std::string& out, unsigned char c) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
}

bool is_alnum(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string encode_uri_component(std::string_view text) {
    static constexpr std::string_view kUnreserved = "-_.!~*'()";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_alnum(c) || kUnreserved.find(ch) != std::string_view::npos) {
            out += ch;
        } else {
            append_percent(out, c);
        }
    }
    return out;
}

std::string form_urlencode(std::string_view text) {
    static constexpr std::string_view kUnreserved = "*-._";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_alnum(c) || kUnreserved.find(ch) != std::string_view::npos) {
            out += ch;
        } else if (ch == ' ') {
            out += '+';
        } else {
            append_percent(out, c);
        }
    }
    return out;
}

}  // namespace clara::nodes
