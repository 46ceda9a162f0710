// Execute request bodies against a deployment's input schema: the first line is the schema
// (a fixed one of every field kind when it is not a JSON object), the rest the body.

#include "openapi/input_validator.hpp"
#include "support/fuzz_json.hpp"

#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>

using namespace clara;

namespace {

const boost::json::object& fixed_schema() {
    static const boost::json::object schema = boost::json::parse(R"({
        "type": "object",
        "properties": {
            "text": {"type": "string"}, "count": {"type": "number"},
            "flag": {"type": "boolean"}, "obj": {"type": "object"}, "list": {"type": "array"},
            "any": {}, "image": {"type": "string", "format": "base64"},
            "pdf": {"type": "string", "format": "binary"},
            "upload": {"oneOf": [{"type": "string", "format": "binary"}, {"type": "object"}]}
        },
        "required": ["text"]
    })").as_object();
    return schema;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto [schema_text, body_text] = fuzz::split_first_line(text);
    const auto schema_value = fuzz::parse_json(schema_text);
    const boost::json::object& schema = schema_value && schema_value->is_object()
                                            ? schema_value->get_object()
                                            : fixed_schema();
    auto body_value = fuzz::parse_json(body_text);
    if (!body_value || !body_value->is_object()) {
        return 0;
    }
    boost::json::object& body = body_value->get_object();

    const auto validator = openapi::InputValidator::from_schema(schema);
    (void)openapi::echoable_properties(schema);
    (void)validator.validate(body);
    for (const auto& field : body) {
        (void)validator.kind_of(field.key());
    }
    (void)openapi::sanitize_inputs(body);
    (void)validator.validate(body);
    return 0;
}
