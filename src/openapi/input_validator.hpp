#pragma once

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clara::openapi {

/// Checks an execute request body against a deployment's input JSON Schema (deployment-api.md
/// § 6.1 with the runner rules). The schema is parsed into a valijson schema once, by
/// `from_schema`; copies share it, and `validate` is const and safe to call from many threads.
class InputValidator {
public:
    /// How one field is checked beyond its JSON Schema.
    enum class Kind {
        kAny,         ///< no `type` (JSON inputs): any value
        kNumber,      ///< `number` or `integer`
        kString,
        kBoolean,
        kObject,
        kArray,
        kImage,       ///< `format: base64`: image data URL or raw base64
        kBinary,      ///< `format: binary`: data URL or raw base64
        kFileUpload,  ///< `oneOf` binary string or `{data|file, name?, type?, size?}`
    };

    /// A validator for a schema without properties: every field is unknown.
    InputValidator();

    /// Compiles the input schema `{type, properties, required}` (a whole simple schema
    /// `{input, ...}` is accepted too). Never throws: a schema valijson cannot parse keeps its
    /// field names and required list, and its values go unchecked.
    static InputValidator from_schema(const boost::json::object& input_schema);

    /// Every problem of `body` in the spec's words (empty when valid), one per invalid field,
    /// named by its path (`upload.name`, `list[2]`): missing required fields first, then in
    /// body order. A `null` value counts as absent.
    std::vector<std::string> validate(const boost::json::object& body) const;

    /// The kind a field was compiled to, or nullopt for an unknown field.
    std::optional<Kind> kind_of(std::string_view field) const;

private:
    struct Compiled;  // the parsed schema and the runner rules; keeps valijson out of this header

    explicit InputValidator(std::shared_ptr<const Compiled> compiled);

    std::shared_ptr<const Compiled> compiled_;
};

/// Removes NUL characters from every string of `body`, at any depth (§ 6.2, runner rule), and
/// returns `Field '<path>' contains excessive whitespace` for the first string longer than
/// 1,000,000 characters of which fewer than 10 % are not whitespace.
std::optional<std::string> sanitize_inputs(boost::json::object& body);

/// The schema's `properties` to echo in a validation failure, or nullopt when a `default` in it
/// is larger than 4 KB (§ 6.1: such schemas are not echoed).
std::optional<boost::json::object> echoable_properties(const boost::json::object& input_schema);

}  // namespace clara::openapi
