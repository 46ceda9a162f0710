#include "engine/expression/builtins.hpp"

#include "engine/expression/js_number.hpp"
#include "engine/expression/js_string.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace clara::engine::expr {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

struct NamedBuiltin {
    std::string_view name;
    Builtin id;
};

constexpr NamedBuiltin kGlobalFunctions[] = {
    {"Number", Builtin::Number},         {"String", Builtin::String},
    {"Boolean", Builtin::Boolean},       {"isNaN", Builtin::IsNaN},
    {"isFinite", Builtin::IsFinite},     {"parseInt", Builtin::ParseInt},
    {"parseFloat", Builtin::ParseFloat},
};

constexpr NamedBuiltin kMathFunctions[] = {
    {"abs", Builtin::MathAbs},     {"min", Builtin::MathMin},     {"max", Builtin::MathMax},
    {"round", Builtin::MathRound}, {"floor", Builtin::MathFloor}, {"ceil", Builtin::MathCeil},
    {"pow", Builtin::MathPow},     {"sqrt", Builtin::MathSqrt},
};

constexpr NamedBuiltin kStringMethods[] = {
    {"includes", Builtin::StringIncludes},
    {"startsWith", Builtin::StringStartsWith},
    {"endsWith", Builtin::StringEndsWith},
    {"indexOf", Builtin::StringIndexOf},
    {"toLowerCase", Builtin::StringToLowerCase},
    {"toUpperCase", Builtin::StringToUpperCase},
    {"trim", Builtin::StringTrim},
};

constexpr NamedBuiltin kArrayMethods[] = {
    {"includes", Builtin::ArrayIncludes},
    {"indexOf", Builtin::ArrayIndexOf},
};

template <std::size_t N>
std::optional<Builtin> find_builtin(const NamedBuiltin (&table)[N], std::string_view name) {
    for (const NamedBuiltin& entry : table) {
        if (entry.name == name) return entry.id;
    }
    return std::nullopt;
}

/// The array index a property key denotes (canonical decimal below 2^32 - 1), if any.
std::optional<std::size_t> array_index(std::string_view key) {
    if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return std::nullopt;
    std::uint64_t index = 0;
    const auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
    if (ec != std::errc{} || ptr != key.data() + key.size() || index >= 4294967295ULL) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(index);
}

Value string_property(const Text& text, std::string_view key) {
    if (key == "length") return static_cast<double>(utf16_length(text.view()));
    if (const auto method = find_builtin(kStringMethods, key))
        return Function{*method, text, nullptr};
    if (const auto index = array_index(key)) {
        if (auto unit = utf16_unit_at(text.view(), *index)) return Text::owned(std::move(*unit));
    }
    return Undefined{};
}

Value document_property(const boost::json::value& target, std::string_view key) {
    if (const boost::json::array* array = target.if_array()) {
        if (key == "length") return static_cast<double>(array->size());
        if (const auto method = find_builtin(kArrayMethods, key)) {
            return Function{*method, Text{}, array};
        }
        if (const auto index = array_index(key); index && *index < array->size()) {
            return from_json((*array)[*index]);
        }
        return Undefined{};
    }
    if (const boost::json::value* member = target.get_object().if_contains(key)) {
        return from_json(*member);
    }
    return Undefined{};
}

Value argument(const std::vector<Value>& args, std::size_t i) {
    return i < args.size() ? args[i] : Value{Undefined{}};
}

/// ToString of an argument, charging any text it has to build.
Text stringify(const Value& v, EvalContext& context) {
    Text text = to_js_string(v);
    if (!std::holds_alternative<Text>(v)) context.charge_string(text.view().size());
    return text;
}

/// ToIntegerOrInfinity of a position argument, clamped to [0, length].
std::size_t clamp_position(const Value& v, std::size_t length) {
    const double position = to_integer_or_infinity(to_number(v));
    if (position <= 0) return 0;
    if (position >= static_cast<double>(length)) return length;
    return static_cast<std::size_t>(position);
}

/// The byte offset of a UTF-16 position argument into `s`, clamped to the string. Avoids
/// measuring the whole string, since a UTF-16 length never exceeds the UTF-8 byte count.
std::size_t position_to_byte(std::string_view s, const Value& v) {
    return utf16_to_byte_offset(s, clamp_position(v, s.size()));
}

/// JS Math.round: halves round toward +Infinity, and -0.5 <= x < 0 gives -0.
double js_round(double x) {
    if (!std::isfinite(x) || std::trunc(x) == x) return x;
    if (x > 0 && x < 0.5) return 0.0;
    if (x < 0 && x >= -0.5) return -0.0;
    const double lower = std::floor(x);
    return x - lower >= 0.5 ? lower + 1 : lower;
}

/// JS Math.pow, which differs from C pow for a NaN exponent and for (±1)^(±Infinity).
double js_pow(double base, double exponent) {
    if (std::isnan(exponent)) return std::numeric_limits<double>::quiet_NaN();
    if (std::fabs(base) == 1 && std::isinf(exponent)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return std::pow(base, exponent);
}

double min_or_max(const std::vector<Value>& args, bool want_max) {
    double result = want_max ? -kInfinity : kInfinity;
    bool saw_nan = false;
    for (const Value& arg : args) {
        const double d = to_number(arg);  // every argument is converted, even after a NaN
        if (std::isnan(d)) {
            saw_nan = true;
            continue;
        }
        const bool better = want_max ? d > result : d < result;
        // +0 is larger than -0 here, unlike for `<`.
        const bool zero_tie = d == 0 && result == 0 && std::signbit(d) != std::signbit(result) &&
                              (want_max ? !std::signbit(d) : std::signbit(d));
        if (better || zero_tie) result = d;
    }
    return saw_nan ? std::numeric_limits<double>::quiet_NaN() : result;
}

Value call_string_method(const Function& fn, const std::vector<Value>& args, EvalContext& context) {
    const std::string_view s = fn.text_receiver.view();
    switch (fn.id) {
        case Builtin::StringIncludes:
        case Builtin::StringIndexOf: {
            const Text search = stringify(argument(args, 0), context);
            if (search.view().empty() && fn.id == Builtin::StringIndexOf) {
                // An empty search matches at the position itself, even inside a surrogate pair.
                return static_cast<double>(clamp_position(argument(args, 1), utf16_length(s)));
            }
            const auto found = find_text(s, search.view(), position_to_byte(s, argument(args, 1)));
            if (fn.id == Builtin::StringIncludes) return found.has_value();
            return found ? static_cast<double>(byte_to_utf16_offset(s, *found)) : -1.0;
        }
        case Builtin::StringStartsWith: {
            const Text search = stringify(argument(args, 0), context);
            return s.substr(position_to_byte(s, argument(args, 1))).starts_with(search.view());
        }
        case Builtin::StringEndsWith: {
            const Text search = stringify(argument(args, 0), context);
            const Value end_argument = argument(args, 1);
            const std::size_t end = std::holds_alternative<Undefined>(end_argument)
                                        ? s.size()
                                        : position_to_byte(s, end_argument);
            return s.substr(0, end).ends_with(search.view());
        }
        case Builtin::StringToLowerCase:
        case Builtin::StringToUpperCase: {
            std::string mapped =
                fn.id == Builtin::StringToLowerCase ? to_lower_case(s) : to_upper_case(s);
            context.charge_string(mapped.size());
            return Text::owned(std::move(mapped));
        }
        case Builtin::StringTrim: {
            const std::string_view trimmed = trim_js_space(s);
            return fn.text_receiver.slice(static_cast<std::size_t>(trimmed.data() - s.data()),
                                          trimmed.size());
        }
        default: break;
    }
    throw ScriptError("not a string method");
}

Value call_array_method(const Function& fn, const std::vector<Value>& args) {
    const boost::json::array& array = *fn.array_receiver;
    const Value wanted = argument(args, 0);
    const double length = static_cast<double>(array.size());
    double from = to_integer_or_infinity(to_number(argument(args, 1)));
    if (from < 0) from = std::max(length + from, 0.0);
    for (std::size_t i = from >= length ? array.size() : static_cast<std::size_t>(from);
         i < array.size(); ++i) {
        const Value element = from_json(array[i]);
        if (fn.id == Builtin::ArrayIncludes ? same_value_zero(element, wanted)
                                            : strict_equals(element, wanted)) {
            return fn.id == Builtin::ArrayIncludes ? Value{true} : Value{static_cast<double>(i)};
        }
    }
    return fn.id == Builtin::ArrayIncludes ? Value{false} : Value{-1.0};
}

}  // namespace

std::optional<Value> lookup_global(std::string_view name) {
    if (name == "Math") return Value{MathObject{}};
    if (const auto id = find_builtin(kGlobalFunctions, name))
        return Value{Function{*id, Text{}, nullptr}};
    return std::nullopt;
}

bool is_forbidden_name(std::string_view name) {
    return name == "constructor" || name == "__proto__" || name == "prototype";
}

Value get_property(const Value& object, std::string_view key) {
    if (is_forbidden_name(key)) {
        throw ScriptError("access to '" + std::string(key) + "' is not allowed");
    }
    if (std::holds_alternative<Undefined>(object) ||
        std::holds_alternative<std::nullptr_t>(object)) {
        throw ScriptError("cannot read property '" + std::string(key) + "' of " +
                          (std::holds_alternative<Undefined>(object) ? "undefined" : "null"));
    }
    if (const Text* text = std::get_if<Text>(&object)) return string_property(*text, key);
    if (const Reference* ref = std::get_if<Reference>(&object)) {
        return document_property(*ref->target, key);
    }
    if (std::holds_alternative<MathObject>(object)) {
        if (const auto id = find_builtin(kMathFunctions, key))
            return Function{*id, Text{}, nullptr};
    }
    return Undefined{};  // numbers, booleans, functions: no supported members
}

Value call_builtin(const Function& fn, const std::vector<Value>& args, EvalContext& context) {
    const auto number_argument = [&](std::size_t i) { return to_number(argument(args, i)); };
    switch (fn.id) {
        case Builtin::Number: return args.empty() ? 0.0 : number_argument(0);
        case Builtin::String:
            return args.empty() ? Text::borrowed("") : stringify(args[0], context);
        case Builtin::Boolean: return to_boolean(argument(args, 0));
        case Builtin::IsNaN: return std::isnan(number_argument(0));
        case Builtin::IsFinite: return std::isfinite(number_argument(0));
        case Builtin::ParseInt:
            return parse_int(stringify(argument(args, 0), context).view(), number_argument(1));
        case Builtin::ParseFloat: return parse_float(stringify(argument(args, 0), context).view());
        case Builtin::MathAbs: return std::fabs(number_argument(0));
        case Builtin::MathMin: return min_or_max(args, false);
        case Builtin::MathMax: return min_or_max(args, true);
        case Builtin::MathRound: return js_round(number_argument(0));
        case Builtin::MathFloor: return std::floor(number_argument(0));
        case Builtin::MathCeil: return std::ceil(number_argument(0));
        case Builtin::MathPow: return js_pow(number_argument(0), number_argument(1));
        case Builtin::MathSqrt: return std::sqrt(number_argument(0));
        case Builtin::ArrayIncludes:
        case Builtin::ArrayIndexOf: return call_array_method(fn, args);
        default: return call_string_method(fn, args, context);
    }
}

}  // namespace clara::engine::expr
