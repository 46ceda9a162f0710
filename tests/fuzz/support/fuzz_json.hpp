#pragma once

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string_view>

namespace clara::fuzz {

/// Parses `text` the way request bodies are parsed (api/request_parsing.cpp: depth 64);
/// nullopt when it is not JSON.
inline std::optional<boost::json::value> parse_json(std::string_view text) {
    boost::json::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 64;
    auto value = boost::json::parse(text, ec, {}, options);
    if (ec) {
        return std::nullopt;
    }
    return value;
}

/// The input split at its first newline: {before, after}; `after` is empty without one.
inline std::pair<std::string_view, std::string_view> split_first_line(std::string_view text) {
    const auto newline = text.find('\n');
    if (newline == std::string_view::npos) {
        return {text, {}};
    }
    return {text.substr(0, newline), text.substr(newline + 1)};
}

}  // namespace clara::fuzz
