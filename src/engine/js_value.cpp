#include "engine/js_value.hpp"

#include "engine/expression/js_number.hpp"
#include "engine/expression/value.hpp"
#include "util/json_text.hpp"

#include <limits>

namespace clara::engine {

bool js_truthy(const boost::json::value& v) { return expr::to_boolean(expr::from_json(v)); }

double js_to_number(const boost::json::value& v) { return expr::to_number(expr::from_json(v)); }

std::string js_number_to_string(double d) { return util::format_js_number(d); }

std::string to_text(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null: return "";
        case boost::json::kind::string: return std::string(v.get_string());
        // Integers keep all their digits (JS would round beyond 2^53; keeping ids intact is
        // what a user expects, and below 2^53 both agree).
        case boost::json::kind::int64: return std::to_string(v.get_int64());
        case boost::json::kind::uint64: return std::to_string(v.get_uint64());
        default: return std::string(expr::to_js_string(expr::from_json(v)).view());
    }
}

bool js_loose_equals(const boost::json::value& a, const boost::json::value& b) {
    return expr::loose_equals(expr::from_json(a), expr::from_json(b));
}

bool js_strict_equals(const boost::json::value& a, const boost::json::value& b) {
    return expr::strict_equals(expr::from_json(a), expr::from_json(b));
}

double json_number(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::int64: return static_cast<double>(v.get_int64());
        case boost::json::kind::uint64: return static_cast<double>(v.get_uint64());
        case boost::json::kind::double_: return v.get_double();
        default: return std::numeric_limits<double>::quiet_NaN();
    }
}

}  // namespace clara::engine
