#include "nodes/url_origin.hpp"

#include "nodes/outbound_call.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace clara::nodes {
namespace {

std::string to_lower(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

}  // namespace

std::optional<std::string> url_origin(std::string_view url) {
    const auto trimmed = trim_base_url(url);  // outlives `parsed`, a view into it
    const auto parsed = boost::urls::parse_uri(trimmed);
    if (!parsed || !parsed->has_authority()) {
        return std::nullopt;
    }
    const auto scheme = to_lower(parsed->scheme());
    if (scheme != "http" && scheme != "https") {
        return std::nullopt;
    }
    auto host = to_lower(parsed->encoded_host());
    while (!host.empty() && host.back() == '.') {
        host.pop_back();
    }
    if (host.empty()) {
        return std::nullopt;
    }
    const std::string port = parsed->has_port() ? std::string(parsed->port())
                             : scheme == "https" ? "443"
                                                 : "80";
    return scheme + "://" + host + ":" + port;
}

bool same_origin(std::string_view a, std::string_view b) {
    const auto left = url_origin(a);
    return left && left == url_origin(b);
}

}  // namespace clara::nodes
