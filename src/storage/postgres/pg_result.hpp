#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct pg_result;

namespace clara::storage::postgres {

/// An owned libpq result in text format, with typed accessors that throw StorageError when a
/// value is not what the query promised.
class Result {
public:
    Result() = default;
    /// Takes ownership of `result` (may be null).
    explicit Result(pg_result* result) : result_(result) {}
    ~Result();
    Result(Result&& other) noexcept;
    Result& operator=(Result&& other) noexcept;
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;

    /// The underlying handle (null when empty).
    pg_result* get() const { return result_; }

    /// Number of rows returned.
    int rows() const;
    /// Rows changed by an INSERT, UPDATE or DELETE (0 for other commands).
    std::int64_t affected_rows() const;

    /// Whether the value at (row, column) is NULL.
    bool is_null(int row, int column) const;
    /// The value as text ("" for NULL).
    std::string_view text(int row, int column) const;
    /// The text, or empty for NULL.
    std::optional<std::string> optional_text(int row, int column) const;
    /// The value as a 64-bit integer (0 for NULL).
    std::int64_t int64(int row, int column) const;
    /// The integer, or empty for NULL.
    std::optional<std::int64_t> optional_int64(int row, int column) const;
    /// The value as a double (0.0 for NULL).
    double float64(int row, int column) const;
    /// The value as a boolean ('t' is true).
    bool boolean(int row, int column) const;

private:
    pg_result* result_ = nullptr;
};

}  // namespace clara::storage::postgres
