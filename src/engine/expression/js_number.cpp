#include "engine/expression/js_number.hpp"

#include "engine/expression/js_string.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <system_error>

namespace clara::engine::expr {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfinity = std::numeric_limits<double>::infinity();

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Value of `c` as a digit in base 36, or 99 when it is none.
int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

/// Length of the longest prefix of `s` that is an unsigned decimal literal (0 if none).
std::size_t scan_decimal(std::string_view s) {
    std::size_t i = 0;
    std::size_t mantissa_digits = 0;
    while (i < s.size() && is_digit(s[i])) {
        ++i;
        ++mantissa_digits;
    }
    if (i < s.size() && s[i] == '.') {
        std::size_t j = i + 1;
        while (j < s.size() && is_digit(s[j])) {
            ++j;
            ++mantissa_digits;
        }
        if (mantissa_digits == 0) return 0;
        i = j;
    }
    if (mantissa_digits == 0) return 0;
    // The exponent belongs to the literal only when it has digits ("1e" is "1" then junk).
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        const std::size_t digits_start = j;
        while (j < s.size() && is_digit(s[j])) ++j;
        if (j > digits_start) i = j;
    }
    return i;
}

/// Accumulates digits of `radix`; NaN when empty or when a character is not such a digit.
double digits_in_radix(std::string_view digits, int radix) {
    if (digits.empty()) return kNaN;
    double value = 0;
    for (char c : digits) {
        const int d = digit_value(c);
        if (d >= radix) return kNaN;
        value = value * radix + d;
    }
    return value;
}

/// JS ToInt32.
std::int32_t to_int32(double d) {
    if (!std::isfinite(d)) return 0;
    constexpr double kTwo32 = 4294967296.0;
    double r = std::fmod(std::trunc(d), kTwo32);
    if (r < 0) r += kTwo32;
    if (r >= kTwo32 / 2) r -= kTwo32;
    return static_cast<std::int32_t>(r);
}

}  // namespace

double to_integer_or_infinity(double d) {
    if (std::isnan(d)) return 0;
    return std::trunc(d) + 0.0;  // + 0.0 turns -0 into +0
}

double decimal_to_double(std::string_view literal) {
    double value = 0;
    const auto [ptr, ec] = std::from_chars(literal.data(), literal.data() + literal.size(), value,
                                           std::chars_format::general);
    if (ec != std::errc::result_out_of_range) return value;

    // from_chars leaves the value untouched on overflow/underflow; decide which one it was from
    // the position of the first significant digit plus the exponent.
    const std::size_t e_pos = literal.find_first_of("eE");
    const std::string_view mantissa = literal.substr(0, e_pos);
    long long exponent = 0;
    if (e_pos != std::string_view::npos) {
        std::string_view exp_text = literal.substr(e_pos + 1);
        bool negative = false;
        if (!exp_text.empty() && (exp_text[0] == '+' || exp_text[0] == '-')) {
            negative = exp_text[0] == '-';
            exp_text.remove_prefix(1);
        }
        for (char c : exp_text) {
            exponent = std::min<long long>(exponent * 10 + (c - '0'), 1'000'000'000LL);
        }
        if (negative) exponent = -exponent;
    }
    const std::size_t dot = mantissa.find('.');
    const std::string_view int_part = mantissa.substr(0, dot);
    const std::string_view frac_part =
        dot == std::string_view::npos ? std::string_view{} : mantissa.substr(dot + 1);
    long long magnitude = 0;
    if (const auto i = int_part.find_first_not_of('0'); i != std::string_view::npos) {
        magnitude = static_cast<long long>(int_part.size() - i);
    } else if (const auto j = frac_part.find_first_not_of('0'); j != std::string_view::npos) {
        magnitude = -static_cast<long long>(j);
    } else {
        return 0;
    }
    return magnitude + exponent > 0 ? kInfinity : 0.0;
}


double string_to_number(std::string_view text) {
    std::string_view t = trim_js_space(text);
    if (t.empty()) return 0;
    if (t.size() >= 2 && t[0] == '0') {
        const char p = t[1];
        if (p == 'x' || p == 'X') return digits_in_radix(t.substr(2), 16);
        if (p == 'o' || p == 'O') return digits_in_radix(t.substr(2), 8);
        if (p == 'b' || p == 'B') return digits_in_radix(t.substr(2), 2);
    }
    bool negative = false;
    if (t[0] == '+' || t[0] == '-') {
        negative = t[0] == '-';
        t.remove_prefix(1);
    }
    double value = 0;
    if (t == "Infinity") {
        value = kInfinity;
    } else {
        if (t.empty() || scan_decimal(t) != t.size()) return kNaN;
        value = decimal_to_double(t);
    }
    return negative ? -value : value;
}

double parse_int(std::string_view text, double radix_argument) {
    std::string_view t = trim_js_space(text, true, false);
    double sign = 1;
    if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
        if (t[0] == '-') sign = -1;
        t.remove_prefix(1);
    }
    int radix = to_int32(radix_argument);
    bool strip_prefix = true;
    if (radix != 0) {
        if (radix < 2 || radix > 36) return kNaN;
        strip_prefix = radix == 16;
    } else {
        radix = 10;
    }
    if (strip_prefix && t.size() >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        t.remove_prefix(2);
        radix = 16;
    }
    std::size_t end = 0;
    while (end < t.size() && digit_value(t[end]) < radix) ++end;
    if (end == 0) return kNaN;
    const std::string_view digits = t.substr(0, end);
    // Base 10 goes through the correctly rounding decimal conversion; other bases accumulate.
    const double magnitude =
        radix == 10 ? decimal_to_double(digits) : digits_in_radix(digits, radix);
    return sign * magnitude;
}

double parse_float(std::string_view text) {
    std::string_view t = trim_js_space(text, true, false);
    bool negative = false;
    if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
        negative = t[0] == '-';
        t.remove_prefix(1);
    }
    double value = 0;
    if (t.substr(0, 8) == "Infinity") {
        value = kInfinity;
    } else {
        const std::size_t length = scan_decimal(t);
        if (length == 0) return kNaN;
        value = decimal_to_double(t.substr(0, length));
    }
    return negative ? -value : value;
}

}  // namespace clara::engine::expr
