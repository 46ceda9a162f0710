#include "util/json_text.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace clara::util {
namespace json = boost::json;

std::string format_js_number(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "Infinity" : "-Infinity";
    }
    if (value == 0) {
        return "0";  // also -0, as JavaScript prints it
    }
    // Shortest round-trip digits, then JavaScript's layout rules (ECMA-262 Number::toString).
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view text(buf, static_cast<std::size_t>(end - buf));
    std::string out;
    if (text.front() == '-') {
        out.push_back('-');
        text.remove_prefix(1);
    }
    const auto e = text.find('e');
    std::string digits;
    for (const char c : text.substr(0, e)) {
        if (c != '.') {
            digits.push_back(c);
        }
    }
    while (digits.size() > 1 && digits.back() == '0') {
        digits.pop_back();
    }
    const int k = static_cast<int>(digits.size());
    const int n = std::atoi(std::string(text.substr(e + 1)).c_str()) + 1;
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out += digits.substr(0, static_cast<std::size_t>(n));
        out.push_back('.');
        out += digits.substr(static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out.push_back(digits[0]);
        if (k > 1) {
            out.push_back('.');
            out += digits.substr(1);
        }
        out.push_back('e');
        out.push_back(n - 1 >= 0 ? '+' : '-');
        out += std::to_string(std::abs(n - 1));
    }
    return out;
}

namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_string(std::string& out, std::string_view text) {
    out.push_back('"');
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (u < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[u >> 4]);
                    out.push_back(kHex[u & 15]);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

void append_double(std::string& out, double d) {
    if (!std::isfinite(d)) {
        out += "null";
    } else {
        out += format_js_number(d);
    }
}

void append_newline(std::string& out, int indent, int depth) {
    out.push_back('\n');
    out.append(static_cast<std::size_t>(indent * depth), ' ');
}

void append_value(std::string& out, const json::value& value, int indent, int depth) {
    switch (value.kind()) {
        case json::kind::null:
            out += "null";
            break;
        case json::kind::bool_:
            out += value.get_bool() ? "true" : "false";
            break;
        case json::kind::int64: {
            char buf[24];
            const auto r = std::to_chars(buf, buf + sizeof buf, value.get_int64());
            out.append(buf, r.ptr);
            break;
        }
        case json::kind::uint64: {
            char buf[24];
            const auto r = std::to_chars(buf, buf + sizeof buf, value.get_uint64());
            out.append(buf, r.ptr);
            break;
        }
        case json::kind::double_:
            append_double(out, value.get_double());
            break;
        case json::kind::string:
            append_string(out, value.get_string());
            break;
        case json::kind::array: {
            const auto& array = value.get_array();
            out.push_back('[');
            bool first = true;
            for (const auto& element : array) {
                if (!first) {
                    out.push_back(',');
                }
                first = false;
                if (indent > 0) {
                    append_newline(out, indent, depth + 1);
                }
                append_value(out, element, indent, depth + 1);
            }
            if (indent > 0 && !array.empty()) {
                append_newline(out, indent, depth);
            }
            out.push_back(']');
            break;
        }
        case json::kind::object: {
            const auto& object = value.get_object();
            out.push_back('{');
            bool first = true;
            for (const auto& member : object) {
                if (!first) {
                    out.push_back(',');
                }
                first = false;
                if (indent > 0) {
                    append_newline(out, indent, depth + 1);
                }
                append_string(out, member.key());
                out.push_back(':');
                if (indent > 0) {
                    out.push_back(' ');
                }
                append_value(out, member.value(), indent, depth + 1);
            }
            if (indent > 0 && !object.empty()) {
                append_newline(out, indent, depth);
            }
            out.push_back('}');
            break;
        }
    }
}

}  // namespace

std::string to_json_text(const json::value& value) {
    std::string out;
    append_value(out, value, 0, 0);
    return out;
}

std::string to_json_text(const json::value& value, int indent) {
    std::string out;
    append_value(out, value, indent, 0);
    return out;
}

void append_json_text(std::string& out, const json::value& value) {
    append_value(out, value, 0, 0);
}

}  // namespace clara::util
