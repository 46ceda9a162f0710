#include "storage/postgres/jsonb_text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "storage/store.hpp"

namespace clara::storage::postgres {
namespace {

bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

bool contains_nul(const boost::json::value& value) {
    if (const auto* text = value.if_string()) {
        return has_nul(*text);
    }
    if (const auto* array = value.if_array()) {
        for (const auto& element : *array) {
            if (contains_nul(element)) {
                return true;
            }
        }
        return false;
    }
    if (const auto* object = value.if_object()) {
        for (const auto& member : *object) {
            if (has_nul(member.key()) || contains_nul(member.value())) {
                return true;
            }
        }
    }
    return false;
}

// The stored text of the wrapped document, when `value` has the wrapper's shape.
const boost::json::string* wrapped_text(const boost::json::value& value) {
    const auto* object = value.if_object();
    if (object == nullptr || object->size() != 1) {
        return nullptr;
    }
    const auto member = object->find(kJsonTextKey);
    return member != object->end() ? member->value().if_string() : nullptr;
}

boost::json::value parse_text(std::string_view text, std::string_view column) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec) {
        throw StorageError("stored JSON in column " + std::string(column) +
                           " is invalid: " + ec.message());
    }
    return value;
}

}  // namespace

std::string encode_jsonb(const boost::json::value& value) {
    std::string text = boost::json::serialize(value);
    if (contains_nul(value) || wrapped_text(value) != nullptr) {
        // The inner text escapes U+0000 as the six characters \u0000, which JSONB stores fine.
        return boost::json::serialize(boost::json::object{{kJsonTextKey, std::move(text)}});
    }
    return text;
}

boost::json::value decode_jsonb(std::string_view text, std::string_view column) {
    auto value = parse_text(text, column);
    if (const auto* inner = wrapped_text(value)) {
        return parse_text(*inner, column);
    }
    return value;
}

}  // namespace clara::storage::postgres
