#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace clara::engine::expr {

/// JS `undefined`.
struct Undefined {};

/// The `Math` namespace object.
struct MathObject {};

/// A JS string: borrows its bytes (from the input document or the syntax tree, which both
/// outlive an evaluation) or owns them. Copies are cheap either way.
class Text {
public:
    Text() = default;

    /// A string whose bytes outlive the evaluation (input, syntax tree, string literals).
    static Text borrowed(std::string_view s);

    /// A string built during evaluation.
    static Text owned(std::string s);

    /// The bytes (UTF-8).
    std::string_view view() const { return view_; }

    /// `count` bytes from byte `offset`, sharing this string's storage.
    Text slice(std::size_t offset, std::size_t count) const;

private:
    std::shared_ptr<const std::string> storage_;
    std::string_view view_;
};

/// Every function the language can call.
enum class Builtin : std::uint8_t {
    Number,
    String,
    Boolean,
    IsNaN,
    IsFinite,
    ParseInt,
    ParseFloat,
    MathAbs,
    MathMin,
    MathMax,
    MathRound,
    MathFloor,
    MathCeil,
    MathPow,
    MathSqrt,
    StringIncludes,
    StringStartsWith,
    StringEndsWith,
    StringIndexOf,
    StringToLowerCase,
    StringToUpperCase,
    StringTrim,
    ArrayIncludes,
    ArrayIndexOf,
};

/// A callable value: a global function, a Math member, or a method bound to its receiver.
struct Function {
    Builtin id;
    Text text_receiver;                                  ///< for string methods
    const boost::json::array* array_receiver = nullptr;  ///< for array methods
};

/// An object or array of the input document; compared by identity, as JS objects are.
struct Reference {
    const boost::json::value* target;
};

/// A JS value as the evaluator sees it: JSON plus undefined, NaN/Infinity and functions.
/// Numbers are doubles, as in JS.
using Value =
    std::variant<Undefined, std::nullptr_t, bool, double, Text, Reference, Function, MathObject>;

/// Views a JSON value as a JS value (strings, objects and arrays are borrowed, not copied).
Value from_json(const boost::json::value& v);

/// The JSON form of a result: undefined, NaN, ±Infinity and functions become null; whole
/// numbers within ±2^53 become int64.
boost::json::value to_json(const Value& v);

/// JS ToBoolean.
bool to_boolean(const Value& v);

/// JS ToNumber (objects, arrays and functions -> NaN).
double to_number(const Value& v);

/// JS ToPrimitive; objects and arrays become their compact JSON text (where JS would give
/// "[object Object]" or a comma-joined list).
Value to_primitive(const Value& v);

/// JS ToString, with objects and arrays as compact JSON (see to_primitive).
Text to_js_string(const Value& v);

/// JS `typeof`.
std::string_view type_of(const Value& v);

/// JS `===`.
bool strict_equals(const Value& a, const Value& b);

/// JS `==`.
bool loose_equals(const Value& a, const Value& b);

/// JS SameValueZero (like `===`, but NaN equals NaN); used by Array.prototype.includes.
bool same_value_zero(const Value& a, const Value& b);

/// The short JS name of a builtin ("max", "includes", ...).
std::string_view builtin_name(Builtin id);

}  // namespace clara::engine::expr
