#include "engine/expression/json_text.hpp"

#include "engine/expression/js_number.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>

namespace clara::engine::expr {

namespace {

// Deeper documents than this are written by Boost.JSON's own (iterative) serializer, so that
// a pathological value cannot exhaust the stack; only its number format differs.
constexpr int kMaxRecursion = 256;

void append_quoted(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xF]);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
}

void append_value(std::string& out, const boost::json::value& v, int depth) {
    if (depth > kMaxRecursion) {
        out += boost::json::serialize(v);
        return;
    }
    switch (v.kind()) {
        case boost::json::kind::null: out += "null"; break;
        case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
        case boost::json::kind::int64: out += std::to_string(v.get_int64()); break;
        case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); break;
        case boost::json::kind::double_: {
            const double d = v.get_double();
            out += std::isfinite(d) ? format_number(d) : "null";
            break;
        }
        case boost::json::kind::string: append_quoted(out, v.get_string()); break;
        case boost::json::kind::array: {
            out.push_back('[');
            bool first = true;
            for (const auto& item : v.get_array()) {
                if (!first) out.push_back(',');
                first = false;
                append_value(out, item, depth + 1);
            }
            out.push_back(']');
            break;
        }
        case boost::json::kind::object: {
            out.push_back('{');
            bool first = true;
            for (const auto& member : v.get_object()) {
                if (!first) out.push_back(',');
                first = false;
                append_quoted(out, member.key());
                out.push_back(':');
                append_value(out, member.value(), depth + 1);
            }
            out.push_back('}');
            break;
        }
    }
}

}  // namespace

std::string json_text(const boost::json::value& v) {
    std::string out;
    append_value(out, v, 0);
    return out;
}

}  // namespace clara::engine::expr
