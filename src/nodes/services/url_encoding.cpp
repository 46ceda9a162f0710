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

std::optional<std::string> url_origin(std::string_view url) {
    const auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || !parsed->has_authority()) {
        return std::nullopt;
    }
    std::string scheme(parsed->scheme());
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme != "http" && scheme != "https") {
        return std::nullopt;
    }
    std::string host = parsed->host();
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!host.empty() && host.back() == '.') {
        host.pop_back();
    }
    if (host.empty()) {
        return std::nullopt;
    }
    std::string port(parsed->port());
    if (port.empty()) {
        port = scheme == "https" ? "443" : "80";
    }
    return scheme + "://" + host + ":" + port;
}

bool same_origin(std::string_view a, std::string_view b) {
    const auto left = url_origin(a);
    const auto right = url_origin(b);
    return left && right && *left == *right;
}

}  // namespace clara::nodes
