#include "nodes/services/service_text.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cctype>

#include "util/utf8.hpp"

namespace clara::nodes {

std::string status_text(unsigned status, std::string_view reason) {
    if (!reason.empty()) {
        return std::string(reason);
    }
    switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 413:
            return "Payload Too Large";
        case 415:
            return "Unsupported Media Type";
        case 422:
            return "Unprocessable Entity";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return {};
    }
}

std::string describe_status(unsigned status, std::string_view reason) {
    auto text = "HTTP " + std::to_string(status);
    const auto phrase = status_text(status, reason);
    if (!phrase.empty()) {
        text += ' ' + phrase;
    }
    return text;
}

std::string mime_essence(std::string_view content_type) {
    const auto semicolon = content_type.find(';');
    auto type = content_type.substr(0, semicolon);
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front()))) {
        type.remove_prefix(1);
    }
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) {
        type.remove_suffix(1);
    }
    std::string out(type);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string decode_utf8_lossy(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto start = i;
        const char32_t c = util::next_code_point(bytes, i);
        const std::size_t length = i - start;
        // next_code_point accepts overlong forms, surrogates and values above U+10FFFF; a
        // decoder that follows the Encoding Standard does not.
        const bool valid = length == 1   ? static_cast<unsigned char>(bytes[start]) < 0x80
                           : length == 2 ? c >= 0x80
                           : length == 3 ? c >= 0x800 && (c < 0xD800 || c > 0xDFFF)
                                         : c >= 0x10000 && c <= 0x10FFFF;
        if (valid) {
            out.append(bytes.substr(start, length));
        } else {
            out += "\xEF\xBF\xBD";
        }
    }
    return out;
}

std::optional<boost::json::value> parse_json(std::string_view text) {
    boost::json::parse_options options;
    options.max_depth = 256;
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec, {}, options);
    if (ec) {
        return std::nullopt;
    }
    return value;
}

std::string utf16_prefix(std::string_view text, std::size_t units) {
    std::size_t i = 0;
    std::size_t counted = 0;
    while (i < text.size()) {
        const auto start = i;
        const char32_t c = util::next_code_point(text, i);
        const std::size_t width = c >= 0x10000 ? 2 : 1;
        if (counted + width > units) {
            return std::string(text.substr(0, start));
        }
        counted += width;
    }
    return std::string(text);
}

std::string js_trim(std::string_view text) {
    std::size_t begin = 0;
    std::size_t end = 0;
    bool seen = false;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto start = i;
        const char32_t c = util::next_code_point(text, i);
        if (!util::is_js_whitespace(c)) {
            if (!seen) {
                begin = start;
                seen = true;
            }
            end = i;
        }
    }
    return seen ? std::string(text.substr(begin, end - begin)) : std::string();
}

std::string string_member(const boost::json::value* value) {
    if (value != nullptr && value->is_string()) {
        return std::string(value->get_string());
    }
    return {};
}

}  // namespace clara::nodes
