#include "engine/expression/value.hpp"

#include "engine/expression/js_number.hpp"
#include "util/json_text.hpp"

#include <boost/json/string.hpp>

#include <cmath>
#include <limits>

namespace clara::engine::expr {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The JS type a value belongs to (what `==` and `===` dispatch on).
enum class Category { Undefined, Null, Boolean, Number, String, Object };

Category category(const Value& v) {
    switch (v.index()) {
        case 0: return Category::Undefined;
        case 1: return Category::Null;
        case 2: return Category::Boolean;
        case 3: return Category::Number;
        case 4: return Category::String;
        default: return Category::Object;
    }
}

bool is_nullish(Category c) { return c == Category::Undefined || c == Category::Null; }

}  // namespace

Text Text::borrowed(std::string_view s) {
    Text t;
    t.view_ = s;
    return t;
}

Text Text::owned(std::string s) {
    Text t;
    t.storage_ = std::make_shared<const std::string>(std::move(s));
    t.view_ = *t.storage_;
    return t;
}

Text Text::slice(std::size_t offset, std::size_t count) const {
    Text t = *this;
    t.view_ = view_.substr(offset, count);
    return t;
}

Value from_json(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null: return nullptr;
        case boost::json::kind::bool_: return v.get_bool();
        case boost::json::kind::int64: return static_cast<double>(v.get_int64());
        case boost::json::kind::uint64: return static_cast<double>(v.get_uint64());
        case boost::json::kind::double_: return v.get_double();
        case boost::json::kind::string: {
            const boost::json::string& s = v.get_string();
            return Text::borrowed(std::string_view(s.data(), s.size()));
        }
        case boost::json::kind::array:
        case boost::json::kind::object: return Reference{&v};
    }
    return nullptr;
}

boost::json::value to_json(const Value& v) {
    if (const bool* b = std::get_if<bool>(&v)) return *b;
    if (const double* d = std::get_if<double>(&v)) {
        if (!std::isfinite(*d)) return nullptr;
        constexpr double kMaxSafe = 9007199254740992.0;  // 2^53
        if (std::trunc(*d) == *d && std::fabs(*d) <= kMaxSafe) {
            return static_cast<std::int64_t>(*d);
        }
        return *d;
    }
    if (const Text* t = std::get_if<Text>(&v)) return boost::json::string(t->view());
    if (const Reference* r = std::get_if<Reference>(&v)) return *r->target;
    return nullptr;  // undefined, null, functions, Math
}

bool to_boolean(const Value& v) {
    switch (category(v)) {
        case Category::Undefined:
        case Category::Null: return false;
        case Category::Boolean: return std::get<bool>(v);
        case Category::Number: {
            const double d = std::get<double>(v);
            return !(d == 0 || std::isnan(d));
        }
        case Category::String: return !std::get<Text>(v).view().empty();
        case Category::Object: return true;
    }
    return false;
}

double to_number(const Value& v) {
    switch (category(v)) {
        case Category::Undefined: return kNaN;
        case Category::Null: return 0;
        case Category::Boolean: return std::get<bool>(v) ? 1 : 0;
        case Category::Number: return std::get<double>(v);
        case Category::String: return string_to_number(std::get<Text>(v).view());
        case Category::Object: return kNaN;
    }
    return kNaN;
}

Value to_primitive(const Value& v) {
    if (const Reference* r = std::get_if<Reference>(&v)) return Text::owned(util::to_json_text(*r->target));
    if (const Function* f = std::get_if<Function>(&v)) {
        return Text::owned("function " + std::string(builtin_name(f->id)) + "() { [native code] }");
    }
    if (std::holds_alternative<MathObject>(v)) return Text::borrowed("[object Math]");
    return v;
}

Text to_js_string(const Value& v) {
    switch (category(v)) {
        case Category::Undefined: return Text::borrowed("undefined");
        case Category::Null: return Text::borrowed("null");
        case Category::Boolean: return Text::borrowed(std::get<bool>(v) ? "true" : "false");
        case Category::Number: return Text::owned(util::format_js_number(std::get<double>(v)));
        case Category::String: return std::get<Text>(v);
        case Category::Object: return std::get<Text>(to_primitive(v));
    }
    return Text::borrowed("");
}

std::string_view type_of(const Value& v) {
    switch (category(v)) {
        case Category::Undefined: return "undefined";
        case Category::Null: return "object";
        case Category::Boolean: return "boolean";
        case Category::Number: return "number";
        case Category::String: return "string";
        case Category::Object: return std::holds_alternative<Function>(v) ? "function" : "object";
    }
    return "undefined";
}

bool strict_equals(const Value& a, const Value& b) {
    const Category ca = category(a);
    if (ca != category(b)) return false;
    switch (ca) {
        case Category::Undefined:
        case Category::Null: return true;
        case Category::Boolean: return std::get<bool>(a) == std::get<bool>(b);
        case Category::Number: return std::get<double>(a) == std::get<double>(b);
        case Category::String: return std::get<Text>(a).view() == std::get<Text>(b).view();
        case Category::Object: break;
    }
    if (a.index() != b.index()) return false;
    if (const Reference* r = std::get_if<Reference>(&a)) {
        return r->target == std::get<Reference>(b).target;
    }
    // A method is the same function object whatever its receiver ("a".trim === "b".trim).
    if (const Function* f = std::get_if<Function>(&a)) return f->id == std::get<Function>(b).id;
    return true;  // Math === Math
}

bool loose_equals(const Value& a, const Value& b) {
    const Category ca = category(a);
    const Category cb = category(b);
    if (ca == cb) return strict_equals(a, b);
    if (is_nullish(ca) || is_nullish(cb)) return is_nullish(ca) && is_nullish(cb);
    if (ca == Category::Number && cb == Category::String) {
        return std::get<double>(a) == to_number(b);
    }
    if (ca == Category::String && cb == Category::Number) {
        return to_number(a) == std::get<double>(b);
    }
    if (ca == Category::Boolean) return loose_equals(to_number(a), b);
    if (cb == Category::Boolean) return loose_equals(a, to_number(b));
    if (ca == Category::Object) return loose_equals(to_primitive(a), b);
    if (cb == Category::Object) return loose_equals(a, to_primitive(b));
    return false;
}

bool same_value_zero(const Value& a, const Value& b) {
    const double* x = std::get_if<double>(&a);
    const double* y = std::get_if<double>(&b);
    if (x && y && std::isnan(*x) && std::isnan(*y)) return true;
    return strict_equals(a, b);
}

std::string_view builtin_name(Builtin id) {
    switch (id) {
        case Builtin::Number: return "Number";
        case Builtin::String: return "String";
        case Builtin::Boolean: return "Boolean";
        case Builtin::IsNaN: return "isNaN";
        case Builtin::IsFinite: return "isFinite";
        case Builtin::ParseInt: return "parseInt";
        case Builtin::ParseFloat: return "parseFloat";
        case Builtin::MathAbs: return "abs";
        case Builtin::MathMin: return "min";
        case Builtin::MathMax: return "max";
        case Builtin::MathRound: return "round";
        case Builtin::MathFloor: return "floor";
        case Builtin::MathCeil: return "ceil";
        case Builtin::MathPow: return "pow";
        case Builtin::MathSqrt: return "sqrt";
        case Builtin::StringIncludes:
        case Builtin::ArrayIncludes: return "includes";
        case Builtin::StringStartsWith: return "startsWith";
        case Builtin::StringEndsWith: return "endsWith";
        case Builtin::StringIndexOf:
        case Builtin::ArrayIndexOf: return "indexOf";
        case Builtin::StringToLowerCase: return "toLowerCase";
        case Builtin::StringToUpperCase: return "toUpperCase";
        case Builtin::StringTrim: return "trim";
    }
    return "anonymous";
}

}  // namespace clara::engine::expr
