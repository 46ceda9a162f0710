#include "storage/postgres/array_literal.hpp"

namespace clara::storage::postgres {

void ArrayLiteral::separate() {
    if (text_.size() > 1) {
        text_ += ',';
    }
}

void ArrayLiteral::add(std::string_view element) {
    separate();
    text_ += '"';
    for (const char c : element) {
        // Inside double quotes only the quote and the backslash need a backslash.
        if (c == '"' || c == '\\') {
            text_ += '\\';
        }
        text_ += c;
    }
    text_ += '"';
}

void ArrayLiteral::add_null() {
    separate();
    text_ += "NULL";
}

void ArrayLiteral::add_optional(const std::optional<std::string>& element) {
    if (element) {
        add(*element);
    } else {
        add_null();
    }
}

}  // namespace clara::storage::postgres
