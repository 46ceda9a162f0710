#include "openapi/workflow_schema.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>
#include <optional>
#include <unordered_map>

namespace clara::openapi {
namespace {

namespace json = boost::json;

/// A tiny PDF header as a data URL: decodes, so the generated example passes validation.
constexpr std::string_view kExamplePdfDataUrl = "data:application/pdf;base64,JVBERi0xLjQKJeLjz9MK";
constexpr std::string_view kExampleFileDataUrl = "data:text/plain;base64,SGVsbG8sIHdvcmxkIQ==";

/// Present, not null and not "" (the runner's notion of a usable saved value).
const json::value* usable(const json::object& data, std::string_view key) {
    const auto* value = data.if_contains(key);
    if (value == nullptr || value->is_null()) {
        return nullptr;
    }
    if (value->is_string() && value->get_string().empty()) {
        return nullptr;
    }
    return value;
}

std::string string_or(const json::object& data, std::string_view key, std::string_view fallback) {
    const auto* value = data.if_contains(key);
    if (value != nullptr && value->is_string() && !value->get_string().empty()) {
        return std::string(value->get_string());
    }
    return std::string(fallback);
}

std::string_view trim_ascii(std::string_view text) {
    constexpr std::string_view kSpace = " \t\n\r\f\v";
    const auto begin = text.find_first_not_of(kSpace);
    if (begin == std::string_view::npos) {
        return {};
    }
    return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

/// A number as JSON, written as an integer when it is one (so "42" stays 42, not 4.2E1).
json::value number_value(double number) {
    constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
    if (std::floor(number) == number && std::fabs(number) < kMaxExactInteger) {
        return static_cast<std::int64_t>(number);
    }
    return number;
}

// The saved `data.value` is usually a string even for number/json/boolean inputs (the Studio
// stores text); the documented default is converted the way the input node converts it at run
// time, and left out when it cannot match the property's type.

std::optional<json::value> number_default(const json::value& saved) {
    if (saved.is_number()) {
        return saved;
    }
    if (!saved.is_string()) {
        return std::nullopt;
    }
    auto text = trim_ascii(saved.get_string());
    if (text.size() > 1 && text[0] == '+' && text[1] != '-') {
        text.remove_prefix(1);  // from_chars refuses the sign JavaScript's Number() accepts
    }
    double number = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, number);
    if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(number)) {
        return std::nullopt;
    }
    return number_value(number);
}

std::optional<json::value> boolean_default(const json::value& saved) {
    if (saved.is_bool()) {
        return saved;
    }
    if (saved.is_string()) {
        std::string lower(saved.get_string());
        for (auto& c : lower) {
            c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        return json::value(lower == "true" || lower == "1");
    }
    if (saved.is_number()) {
        return json::value(saved.to_number<double>() != 0);
    }
    return std::nullopt;
}

std::optional<json::value> json_default(const json::value& saved) {
    if (!saved.is_string()) {
        return saved;
    }
    json::error_code ec;
    auto parsed = json::parse(saved.get_string(), ec);
    if (ec) {
        return saved;  // the node keeps an unparsable string as it is
    }
    return parsed;
}

std::optional<json::value> text_default(const json::value& saved) {
    if (saved.is_string()) {
        return saved;
    }
    if (saved.is_number() || saved.is_bool()) {
        return json::value(json::serialize(saved));
    }
    return std::nullopt;
}

/// The property of an `input` node and whether the node has a usable saved value.
json::object input_property(const json::object& data, bool& has_saved_default) {
    const std::string input_type = string_or(data, "inputType", "text");
    json::object property;
    std::optional<json::value> (*convert)(const json::value&) = text_default;
    if (input_type == "number") {
        property["type"] = "number";
        property["description"] = "Number input";
        convert = number_default;
    } else if (input_type == "boolean") {
        property["type"] = "boolean";
        property["description"] = "Boolean input";
        convert = boolean_default;
    } else if (input_type == "json") {
        // Any JSON value is accepted (the node parses strings); without a saved default the
        // example shows an object (set below).
        property["description"] = "JSON object input";
        convert = json_default;
    } else {
        property["type"] = "string";
        property["description"] = "Text input";
    }
    const json::value* saved = usable(data, "value");
    if (saved == nullptr) {
        saved = usable(data, "defaultValue");
    }
    has_saved_default = saved != nullptr;
    if (saved != nullptr) {
        if (auto value = convert(*saved)) {
            property["default"] = std::move(*value);
        }
    }
    if (input_type == "json" && !property.contains("default")) {
        property["example"] = json::object{{"key", "value"}};
    }
    return property;
}

json::object file_upload_property() {
    const json::object content{{"type", "string"},
                               {"description", "Base64 encoded content or data URL"}};
    json::object object_form;
    object_form["type"] = "object";
    object_form["properties"] = json::object{
        {"data", content},
        {"file", content},
        {"name", {{"type", "string"}, {"description", "File name"}}},
        {"type", {{"type", "string"}, {"description", "MIME type"}}},
        {"size", {{"type", "number"}, {"description", "Size in bytes"}}},
    };
    object_form["anyOf"] =
        json::array{json::object{{"required", json::array{"data"}}},
                    json::object{{"required", json::array{"file"}}}};

    json::object property;
    property["description"] = "File upload content (base64 encoded)";
    property["oneOf"] = json::array{
        json::object{{"type", "string"},
                     {"format", "binary"},
                     {"description", "Base64 encoded content or data URL"}},
        std::move(object_form),
    };
    property["example"] = kExampleFileDataUrl;
    return property;
}

/// The property of one entry node; `has_saved_default` tells whether it may be omitted.
json::object entry_property(const engine::NodeDecl& node, bool& has_saved_default) {
    json::object property;
    if (node.type == "input") {
        property = input_property(node.data, has_saved_default);
    } else if (node.type == "image-input") {
        property["type"] = "string";
        property["format"] = "base64";
        property["description"] =
            "Base64 encoded image data (supports png, jpg, jpeg, gif, webp)";
        property["example"] = kExamplePngDataUrl;
        has_saved_default = usable(node.data, "imageFile") != nullptr;
    } else if (node.type == "pdf-input") {
        property["type"] = "string";
        property["format"] = "binary";
        property["description"] = "PDF file content or base64 encoded PDF";
        property["example"] = kExamplePdfDataUrl;
        has_saved_default = usable(node.data, "pdfFile") != nullptr;
    } else {
        property = file_upload_property();
        const auto* outputs = node.data.if_contains("outputs");
        has_saved_default = outputs != nullptr && outputs->is_object() &&
                            usable(outputs->get_object(), "content") != nullptr;
    }
    // Binary saved values are never copied into `default`: they can be megabytes.
    property["x-node-id"] = node.id;
    property["x-node-type"] = node.type;
    const auto description = string_or(node.data, "description", "");
    if (!description.empty()) {
        property["description"] = description;
    }
    return property;
}

/// Required when `data.required === true`, or when it is not `false` and nothing is saved.
bool is_required(const json::object& data, bool has_saved_default) {
    const auto* flag = data.if_contains("required");
    if (flag != nullptr && flag->is_bool()) {
        return flag->get_bool();
    }
    return !has_saved_default;
}

std::unordered_map<std::string_view, const engine::NodeDecl*> index_nodes(
    const engine::WorkflowDocument& document) {
    std::unordered_map<std::string_view, const engine::NodeDecl*> index;
    for (const auto& node : document.nodes) {
        index.emplace(node.id, &node);
    }
    return index;
}

}  // namespace

json::object build_input_schema(const engine::WorkflowDocument& document,
                                const engine::FieldMap& fields) {
    const auto nodes = index_nodes(document);
    json::object properties;
    json::array required;
    for (const auto& binding : fields.inputs) {
        const auto found = nodes.find(binding.node_id);
        if (found == nodes.end() || !engine::is_entry_type(found->second->type)) {
            continue;  // a stale binding documents nothing
        }
        const auto& node = *found->second;
        bool has_saved_default = false;
        properties[binding.field] = entry_property(node, has_saved_default);
        if (is_required(node.data, has_saved_default)) {
            required.push_back(json::string(binding.field));
        }
    }
    json::object schema;
    schema["type"] = "object";
    schema["properties"] = std::move(properties);
    if (!required.empty()) {
        schema["required"] = std::move(required);
    }
    schema["additionalProperties"] = false;
    return schema;
}

json::object build_output_schema(const engine::WorkflowDocument& document,
                                 const engine::FieldMap& fields) {
    const auto nodes = index_nodes(document);
    json::object properties;
    for (const auto& binding : fields.outputs) {
        const auto found = nodes.find(binding.node_id);
        if (found == nodes.end() || found->second->type != "output") {
            continue;
        }
        const auto& data = found->second->data;
        std::string description = string_or(data, "description", "Output value");
        json::object property;
        const auto* format = data.if_contains("format");
        if (format != nullptr && format->is_string() && format->get_string() == "json") {
            property["type"] = "object";
            property["nullable"] = true;  // a skipped output node yields null
            description += " (JSON format)";
        }
        // Other formats carry no type: values may be any JSON (text, objects, numbers, null).
        property["description"] = description;
        property["x-node-id"] = found->second->id;
        property["x-node-type"] = "output";
        properties[binding.field] = std::move(property);
    }
    json::object schema;
    schema["type"] = "object";
    schema["properties"] = std::move(properties);
    return schema;
}

json::object build_schema_metadata(const engine::WorkflowDocument& document) {
    json::object metadata;
    metadata["nodeCount"] = document.nodes.size();
    metadata["connectionCount"] = document.connections.size();
    metadata["hasCustomNodes"] = !document.custom_nodes.empty();
    return metadata;
}

json::object build_simple_schema(const engine::WorkflowDocument& document,
                                 const engine::FieldMap& fields) {
    json::object schema;
    schema["input"] = build_input_schema(document, fields);
    schema["output"] = build_output_schema(document, fields);
    schema["metadata"] = build_schema_metadata(document);
    return schema;
}

json::object example_request(const json::object& input_schema) {
    json::object example;
    const auto* properties = input_schema.if_contains("properties");
    if (properties == nullptr || !properties->is_object()) {
        return example;
    }
    for (const auto& [field, schema_value] : properties->get_object()) {
        if (!schema_value.is_object()) {
            example[field] = nullptr;
            continue;
        }
        const auto& property = schema_value.get_object();
        if (const auto* value = property.if_contains("example")) {
            example[field] = *value;
            continue;
        }
        if (const auto* value = property.if_contains("default")) {
            example[field] = *value;
            continue;
        }
        const auto type = string_or(property, "type", "");
        if (type == "string") {
            example[field] = string_or(property, "format", "") == "base64"
                                 ? json::value(kExamplePngDataUrl)
                                 : json::value("Example text");
        } else if (type == "number" || type == "integer") {
            example[field] = 42;
        } else if (type == "boolean") {
            example[field] = true;
        } else if (type == "object") {
            example[field] = json::object{{"key", "value"}};
        } else if (type == "array") {
            example[field] = json::array{"item1", "item2"};
        } else {
            example[field] = nullptr;
        }
    }
    return example;
}

}  // namespace clara::openapi
