#include "openapi/input_validator.hpp"

#include "util/utf8.hpp"

#include "util/base64.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace clara::openapi {
namespace {

namespace json = boost::json;

constexpr std::size_t kWhitespaceCheckLength = 1'000'000;
constexpr std::size_t kMaxEchoedDefaultBytes = 4096;

std::string quoted(std::string_view field) {
    return "Field '" + std::string(field) + "'";
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (c != prefix[i]) {
            return false;
        }
    }
    return true;
}

/// A data URL whose payload decodes, or raw base64; `image_only` demands `data:image/<x>`.
bool is_base64_content(std::string_view text, bool image_only) {
    if (const auto url = util::parse_data_url(text)) {
        if (image_only && !starts_with_ci(url->mime, "image/")) {
            return false;
        }
        return util::base64_decode(url->payload).has_value();
    }
    return util::base64_decode(text).has_value();
}

InputValidator::Kind kind_from_property(const json::object& property) {
    using Kind = InputValidator::Kind;
    if (property.contains("oneOf")) {
        return Kind::kFileUpload;  // the only oneOf the schema builder writes
    }
    const auto* type = property.if_contains("type");
    if (type == nullptr || !type->is_string()) {
        return Kind::kAny;
    }
    const std::string_view name = type->get_string();
    if (name == "string") {
        const auto* format = property.if_contains("format");
        if (format != nullptr && format->is_string()) {
            if (format->get_string() == "base64") {
                return Kind::kImage;
            }
            if (format->get_string() == "binary") {
                return Kind::kBinary;
            }
        }
        return Kind::kString;
    }
    if (name == "number" || name == "integer") {
        return Kind::kNumber;
    }
    if (name == "boolean") {
        return Kind::kBoolean;
    }
    if (name == "object") {
        return Kind::kObject;
    }
    if (name == "array") {
        return Kind::kArray;
    }
    return Kind::kAny;
}

const json::value* present(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value == nullptr || value->is_null() ? nullptr : value;
}

/// The `{data|file, name?, type?, size?}` form of a file upload.
void check_file_object(std::string_view field,
                       const json::object& file,
                       std::vector<std::string>& problems) {
    const std::string prefix(field);
    const char* content_key = present(file, "data") != nullptr ? "data" : "file";
    const auto* content = present(file, content_key);
    if (content == nullptr) {
        problems.push_back(quoted(field) + " must have a 'data' or 'file' property");
    } else if (!content->is_string() || !is_base64_content(content->get_string(), false)) {
        problems.push_back(quoted(prefix + "." + content_key) +
                           " must be a base64 string or data URL");
    }
    for (const char* key : {"name", "type"}) {
        const auto* value = present(file, key);
        if (value != nullptr && !value->is_string()) {
            problems.push_back(quoted(prefix + "." + key) + " must be a string");
        }
    }
    const auto* size = present(file, "size");
    if (size != nullptr && !size->is_number()) {
        problems.push_back(quoted(prefix + ".size") + " must be a number");
    }
}

// --- sanitiser ---------------------------------------------------------------------------------

/// Whether a string longer than 1,000,000 characters (UTF-16 units, as JavaScript counts) has
/// fewer than 10 % non-whitespace characters.
bool has_excessive_whitespace(std::string_view text) {
    if (text.size() <= kWhitespaceCheckLength) {
        return false;  // UTF-16 length never exceeds the UTF-8 byte count
    }
    std::size_t length = 0;
    std::size_t non_whitespace = 0;
    for (std::size_t i = 0; i < text.size();) {
        const char32_t c = util::next_code_point(text, i);
        const std::size_t units = c >= 0x10000 ? 2 : 1;  // astral characters are surrogate pairs
        length += units;
        if (!util::is_js_whitespace(c)) {
            non_whitespace += units;
        }
    }
    return length > kWhitespaceCheckLength && non_whitespace * 10 < length;
}

std::optional<std::string> sanitize_value(json::value& value, const std::string& path) {
    if (value.is_string()) {
        auto& text = value.get_string();
        const auto end = std::remove(text.begin(), text.end(), '\0');
        text.erase(end, text.end());
        if (has_excessive_whitespace(text)) {
            return quoted(path) + " contains excessive whitespace";
        }
    } else if (value.is_object()) {
        for (auto& entry : value.get_object()) {
            if (auto error = sanitize_value(entry.value(), path + "." + std::string(entry.key()))) {
                return error;
            }
        }
    } else if (value.is_array()) {
        auto& items = value.get_array();
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (auto error = sanitize_value(items[i], path + "[" + std::to_string(i) + "]")) {
                return error;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

InputValidator InputValidator::from_schema(const json::object& input_schema) {
    const json::object* schema = &input_schema;
    const auto* nested = input_schema.if_contains("input");
    if (!input_schema.contains("properties") && nested != nullptr && nested->is_object()) {
        schema = &nested->get_object();
    }
    InputValidator validator;
    if (const auto* properties = schema->if_contains("properties");
        properties != nullptr && properties->is_object()) {
        for (const auto& [name, property] : properties->get_object()) {
            Field field;
            field.name = std::string(name);
            field.kind = property.is_object() ? kind_from_property(property.get_object())
                                              : Kind::kAny;
            validator.index_.emplace(field.name, validator.fields_.size());
            validator.fields_.push_back(std::move(field));
        }
    }
    if (const auto* required = schema->if_contains("required");
        required != nullptr && required->is_array()) {
        for (const auto& name : required->get_array()) {
            if (name.is_string()) {
                validator.required_.emplace_back(name.get_string());
            }
        }
    }
    return validator;
}

std::optional<InputValidator::Kind> InputValidator::kind_of(std::string_view field) const {
    const auto found = index_.find(std::string(field));
    if (found == index_.end()) {
        return std::nullopt;
    }
    return fields_[found->second].kind;
}

std::vector<std::string> InputValidator::validate(const json::object& body) const {
    std::vector<std::string> problems;
    std::vector<std::string_view> missing;
    for (const auto& name : required_) {
        const auto* value = body.if_contains(name);
        if (value == nullptr || value->is_null() ||
            (value->is_string() && value->get_string().empty())) {
            problems.push_back("Missing required field: " + name);
            missing.push_back(name);
        }
    }
    for (const auto& [key, value] : body) {
        const auto found = index_.find(std::string(key));
        if (found == index_.end()) {
            problems.push_back("Unknown field: " + std::string(key));
            continue;
        }
        // null means "absent"; a required field reported missing gets no second message.
        if (value.is_null() || std::find(missing.begin(), missing.end(), key) != missing.end()) {
            continue;
        }
        check_value(fields_[found->second], value, problems);
    }
    return problems;
}

void InputValidator::check_value(const Field& field,
                                 const json::value& value,
                                 std::vector<std::string>& problems) const {
    const auto& name = field.name;
    switch (field.kind) {
        case Kind::kAny:
            return;
        case Kind::kNumber:
            if (!value.is_number()) {
                problems.push_back(quoted(name) + " must be a number");
            }
            return;
        case Kind::kString:
            if (!value.is_string()) {
                problems.push_back(quoted(name) + " must be a string");
            }
            return;
        case Kind::kBoolean:
            if (!value.is_bool()) {
                problems.push_back(quoted(name) + " must be a boolean");
            }
            return;
        case Kind::kObject:
            if (!value.is_object()) {
                problems.push_back(quoted(name) + " must be an object");
            }
            return;
        case Kind::kArray:
            if (!value.is_array()) {
                problems.push_back(quoted(name) + " must be an array");
            }
            return;
        case Kind::kImage:
        case Kind::kBinary:
            if (!value.is_string()) {
                problems.push_back(quoted(name) + " must be a string");
            } else if (!is_base64_content(value.get_string(), field.kind == Kind::kImage)) {
                problems.push_back(quoted(name) + " must be a base64 string or data URL");
            }
            return;
        case Kind::kFileUpload:
            if (value.is_string()) {
                if (!is_base64_content(value.get_string(), false)) {
                    problems.push_back(quoted(name) + " must be a base64 string or data URL");
                }
            } else if (value.is_object()) {
                check_file_object(name, value.get_object(), problems);
            } else {
                problems.push_back(quoted(name) +
                                   " must be a base64 string, data URL or file object");
            }
            return;
    }
}

std::optional<std::string> sanitize_inputs(json::object& body) {
    for (auto& entry : body) {
        if (auto error = sanitize_value(entry.value(), std::string(entry.key()))) {
            return error;
        }
    }
    return std::nullopt;
}

std::optional<json::object> echoable_properties(const json::object& input_schema) {
    const auto* properties = input_schema.if_contains("properties");
    if (properties == nullptr || !properties->is_object()) {
        return json::object{};
    }
    for (const auto& entry : properties->get_object()) {
        if (!entry.value().is_object()) {
            continue;
        }
        const auto* fallback = entry.value().get_object().if_contains("default");
        if (fallback != nullptr && json::serialize(*fallback).size() > kMaxEchoedDefaultBytes) {
            return std::nullopt;
        }
    }
    return properties->get_object();
}

}  // namespace clara::openapi
