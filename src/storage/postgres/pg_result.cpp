#include "storage/postgres/pg_result.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <utility>

#include "storage/store.hpp"

namespace clara::storage::postgres {
namespace {

[[noreturn]] void throw_bad_value(std::string_view kind, std::string_view text) {
    throw StorageError("database returned '" + std::string(text) + "' where " + std::string(kind) +
                       " was expected");
}

}  // namespace

Result::~Result() {
    if (result_ != nullptr) {
        PQclear(result_);
    }
}

Result::Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

Result& Result::operator=(Result&& other) noexcept {
    if (this != &other) {
        if (result_ != nullptr) {
            PQclear(result_);
        }
        result_ = std::exchange(other.result_, nullptr);
    }
    return *this;
}

int Result::rows() const { return result_ != nullptr ? PQntuples(result_) : 0; }

std::int64_t Result::affected_rows() const {
    if (result_ == nullptr) {
        return 0;
    }
    const std::string_view text = PQcmdTuples(result_);
    std::int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

bool Result::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string_view Result::text(int row, int column) const {
    return std::string_view(PQgetvalue(result_, row, column),
                            static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::optional<std::string> Result::optional_text(int row, int column) const {
    if (is_null(row, column)) {
        return std::nullopt;
    }
    return std::string(text(row, column));
}

std::int64_t Result::int64(int row, int column) const {
    if (is_null(row, column)) {
        return 0;
    }
    const auto value_text = text(row, column);
    std::int64_t value = 0;
    const auto* end = value_text.data() + value_text.size();
    const auto [ptr, ec] = std::from_chars(value_text.data(), end, value);
    if (ec != std::errc() || ptr != end) {
        throw_bad_value("an integer", value_text);
    }
    return value;
}

std::optional<std::int64_t> Result::optional_int64(int row, int column) const {
    if (is_null(row, column)) {
        return std::nullopt;
    }
    return int64(row, column);
}

double Result::float64(int row, int column) const {
    if (is_null(row, column)) {
        return 0.0;
    }
    // from_chars, unlike strtod, does not depend on the C locale's decimal point.
    const auto value_text = text(row, column);
    double value = 0.0;
    const auto* end = value_text.data() + value_text.size();
    const auto [ptr, ec] = std::from_chars(value_text.data(), end, value);
    if (ec != std::errc() || ptr != end) {
        throw_bad_value("a number", value_text);
    }
    return value;
}

bool Result::boolean(int row, int column) const {
    const auto value_text = text(row, column);
    if (value_text == "t") {
        return true;
    }
    if (value_text == "f") {
        return false;
    }
    throw_bad_value("a boolean", value_text);
}

}  // namespace clara::storage::postgres
