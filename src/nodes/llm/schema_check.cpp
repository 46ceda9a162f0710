#include "nodes/llm/schema_check.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <cmath>

namespace clara::nodes::llm {
namespace json = boost::json;

namespace {

std::string_view kind_name(const json::value& value) {
    switch (value.kind()) {
        case json::kind::null:
            return "null";
        case json::kind::bool_:
            return "boolean";
        case json::kind::string:
            return "string";
        case json::kind::int64:
        case json::kind::uint64:
            return "integer";
        case json::kind::double_:
            return "number";
        case json::kind::array:
            return "array";
        case json::kind::object:
            return "object";
    }
    return "unknown";
}

bool is_integral(const json::value& value) {
    if (value.is_int64() || value.is_uint64()) {
        return true;
    }
    if (value.is_double()) {
        const double d = value.get_double();
        return std::isfinite(d) && std::trunc(d) == d;
    }
    return false;
}

bool has_type(const json::value& value, std::string_view type) {
    if (type == "null") {
        return value.is_null();
    }
    if (type == "boolean") {
        return value.is_bool();
    }
    if (type == "string") {
        return value.is_string();
    }
    if (type == "integer") {
        return is_integral(value);
    }
    if (type == "number") {
        return value.is_number();
    }
    if (type == "array") {
        return value.is_array();
    }
    if (type == "object") {
        return value.is_object();
    }
    return true;  // a type this checker does not know constrains nothing here
}

bool is_identifier(std::string_view key) {
    if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front()))) {
        return false;
    }
    for (const char c : key) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$') {
            return false;
        }
    }
    return true;
}

std::string member_path(const std::string& path, std::string_view key) {
    if (is_identifier(key)) {
        return path + "." + std::string(key);
    }
    return path + "[" + json::serialize(json::string(key)) + "]";
}

std::optional<std::string> check(const json::value& value, const json::value& schema,
                                 const std::string& path) {
    const auto* rules = schema.if_object();
    if (rules == nullptr) {
        return std::nullopt;
    }
    if (const auto* type = rules->if_contains("type"); type && type->is_string()) {
        if (!has_type(value, type->get_string())) {
            return path + ": expected " + std::string(type->get_string()) + ", got " +
                   std::string(kind_name(value));
        }
    }
    if (const auto* items = rules->if_contains("items"); items && value.is_array()) {
        const auto& array = value.get_array();
        for (std::size_t i = 0; i < array.size(); ++i) {
            if (auto problem = check(array[i], *items, path + "[" + std::to_string(i) + "]")) {
                return problem;
            }
        }
    }
    const auto* object = value.if_object();
    if (object == nullptr) {
        return std::nullopt;
    }
    if (const auto* required = rules->if_contains("required"); required && required->is_array()) {
        for (const auto& key : required->get_array()) {
            if (key.is_string() && !object->contains(key.get_string())) {
                return member_path(path, key.get_string()) + ": required property is missing";
            }
        }
    }
    const auto* properties = rules->if_contains("properties");
    const json::object* declared = properties ? properties->if_object() : nullptr;
    if (declared != nullptr) {
        for (const auto& [key, property_schema] : *declared) {
            if (const auto* member = object->if_contains(key)) {
                if (auto problem = check(*member, property_schema, member_path(path, key))) {
                    return problem;
                }
            }
        }
    }
    const auto* additional = rules->if_contains("additionalProperties");
    if (additional && additional->is_bool() && !additional->get_bool()) {
        for (const auto& [key, member] : *object) {
            if (declared == nullptr || !declared->contains(key)) {
                return member_path(path, key) + ": property is not in the example";
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> find_schema_mismatch(const json::value& value,
                                                const json::value& schema) {
    return check(value, schema, "$");
}

}  // namespace clara::nodes::llm
