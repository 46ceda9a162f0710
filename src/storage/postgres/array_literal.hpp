#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clara::storage::postgres {

/// Builds the text form of a one-dimensional PostgreSQL array ({"a","b",NULL}), so that a whole
/// batch of values travels as one bound parameter (e.g. to unnest($1::uuid[], ...)).
class ArrayLiteral {
public:
    /// Appends an element; every element is quoted, so any text is taken literally.
    void add(std::string_view element);
    /// Appends a NULL element.
    void add_null();
    /// Appends the text, or NULL when empty.
    void add_optional(const std::optional<std::string>& element);

    /// The literal, e.g. {"a","b",NULL}; {} when nothing was added.
    std::string str() const { return text_ + "}"; }

private:
    void separate();

    std::string text_ = "{";
};

}  // namespace clara::storage::postgres
