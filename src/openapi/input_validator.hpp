#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace clara::openapi {

/// Checks an execute request body against a deployment's input schema (deployment-api.md § 6.1
/// with the runner rules). Compiled once per deployment; `validate` is const and thread-safe.
class InputValidator {
public:
    /// How one field is checked.
    enum class Kind {
        kAny,         ///< no `type` (JSON inputs): any value
        kNumber,
        kString,
        kBoolean,
        kObject,
        kArray,
        kImage,       ///< `format: base64`: image data URL or raw base64
        kBinary,      ///< `format: binary`: data URL or raw base64
        kFileUpload,  ///< `oneOf`: like kBinary, or `{data|file, name?, type?, size?}`
    };

    /// Compiles the simple input schema `{type, properties, required}` (a whole simple schema
    /// `{input, ...}` is accepted too).
    static InputValidator from_schema(const boost::json::object& input_schema);

    /// Every problem of `body`, in the spec's words (empty when valid): required fields first,
    /// then each body key in order. A `null` value counts as absent.
    std::vector<std::string> validate(const boost::json::object& body) const;

    /// The kind a field was compiled to, or nullopt for an unknown field.
    std::optional<Kind> kind_of(std::string_view field) const;

private:
    struct Field {
        std::string name;
        Kind kind = Kind::kAny;
    };

    void check_value(const Field& field,
                     const boost::json::value& value,
                     std::vector<std::string>& problems) const;

    std::vector<Field> fields_;
    std::unordered_map<std::string, std::size_t> index_;
    std::vector<std::string> required_;
};

/// Removes NUL characters from every string of `body`, at any depth (§ 6.2, runner rule), and
/// returns `Field '<path>' contains excessive whitespace` for the first string longer than
/// 1,000,000 characters of which fewer than 10 % are not whitespace.
std::optional<std::string> sanitize_inputs(boost::json::object& body);

/// The schema's `properties` to echo in a validation failure, or nullopt when a `default` in it
/// is larger than 4 KB (§ 6.1: such schemas are not echoed).
std::optional<boost::json::object> echoable_properties(const boost::json::object& input_schema);

}  // namespace clara::openapi
