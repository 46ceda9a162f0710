#include "nodes/node_data.hpp"

#include <cmath>
#include <cstdlib>

namespace clara::nodes {

bool is_empty(const boost::json::value* value) {
    return value == nullptr || value->is_null() ||
           (value->is_string() && value->get_string().empty());
}

const boost::json::value* non_empty(const boost::json::object& data, std::string_view key) {
    const auto* value = data.if_contains(key);
    return is_empty(value) ? nullptr : value;
}

std::string string_or(const boost::json::object& data, std::string_view key,
                      std::string_view fallback) {
    const auto* value = non_empty(data, key);
    if (value != nullptr && value->is_string()) {
        return std::string(value->get_string());
    }
    return std::string(fallback);
}

bool bool_or(const boost::json::object& data, std::string_view key, bool fallback) {
    const auto* value = data.if_contains(key);
    return value != nullptr && value->is_bool() ? value->get_bool() : fallback;
}

std::optional<double> number_field(const boost::json::object& data, std::string_view key) {
    const auto* value = data.if_contains(key);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (value->is_number()) {
        return value->to_number<double>();
    }
    if (value->is_string()) {
        const std::string text(value->get_string());
        char* end = nullptr;
        const double parsed = std::strtod(text.c_str(), &end);
        while (end != nullptr && *end == ' ') {
            ++end;
        }
        if (end != text.c_str() && end != nullptr && *end == '\0' && std::isfinite(parsed)) {
            return parsed;
        }
    }
    return std::nullopt;
}

boost::json::value json_number_value(double value) {
    constexpr double kMaxSafe = 9007199254740992.0;  // 2^53
    if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) <= kMaxSafe) {
        return static_cast<std::int64_t>(value);
    }
    return value;
}

}  // namespace clara::nodes

namespace clara::nodes {

std::size_t utf16_length(std::string_view utf8) {
    std::size_t units = 0;
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte & 0xC0) != 0x80) {
            units += byte >= 0xF0 ? 2 : 1;  // 4-byte sequences are surrogate pairs in UTF-16
        }
    }
    return units;
}

}  // namespace clara::nodes
