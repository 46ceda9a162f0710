#include "engine/expression/lexer.hpp"

#include "engine/expression.hpp"
#include "engine/expression/js_number.hpp"
#include "engine/expression/js_string.hpp"

#include <array>

namespace clara::engine::expr {

namespace {

// Longest first, so that "===" wins over "==" and "=".
constexpr std::array<std::string_view, 24> kPunctuators = {
    "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]",
    ".",   ",",   "?",  ":",  "!",  "+",  "-",  "*",  "/", "%", "<", ">",
};

/// Operators of JS that the language leaves out, with the reason given to the user.
struct Unsupported {
    std::string_view text;
    std::string_view message;
};
constexpr std::array<Unsupported, 15> kUnsupported = {{
    {"**", "the '**' operator is not supported; use Math.pow"},
    {"??", "the ?? operator is not supported; use ||"},
    {"?.", "optional chaining '?.' is not supported"},
    {"=>", "functions cannot be defined in an expression"},
    {"++", "'++' is not supported (expressions cannot assign)"},
    {"--", "'--' is not supported (expressions cannot assign)"},
    {"=", "assignment is not supported; use '===' to compare"},
    {"&", "bitwise operators are not supported"},
    {"|", "bitwise operators are not supported"},
    {"^", "bitwise operators are not supported"},
    {"~", "bitwise operators are not supported"},
    {"`", "template literals are not supported; use '+' to join strings"},
    {"{", "object literals are not supported"},
    {";", "only a single expression is allowed"},
    {"#", "private names are not supported"},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_identifier_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool is_identifier_part(char c) { return is_identifier_start(c) || is_digit(c); }
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

class Lexer {
public:
    explicit Lexer(std::string_view source) : source_(source) {}

    std::vector<Token> run() {
        std::vector<Token> tokens;
        while (true) {
            while (pos_ < source_.size() && is_space(source_[pos_])) ++pos_;
            if (pos_ >= source_.size()) break;
            tokens.push_back(next());
        }
        Token end;
        end.begin = end.end = source_.size();
        tokens.push_back(std::move(end));
        return tokens;
    }

private:
    Token start_token(Token::Type type) const {
        Token token;
        token.type = type;
        token.begin = token.end = pos_;
        return token;
    }

    Token next() {
        const char c = source_[pos_];
        if (is_digit(c) || (c == '.' && pos_ + 1 < source_.size() && is_digit(source_[pos_ + 1]))) {
            return number();
        }
        if (c == '"' || c == '\'') return string();
        if (is_identifier_start(c)) return identifier();
        return punctuator();
    }

    Token number() {
        Token token = start_token(Token::Type::Number);
        std::size_t i = pos_;
        while (i < source_.size() && is_digit(source_[i])) ++i;
        if (i - pos_ > 1 && source_[pos_] == '0') {
            throw_syntax_error(source_, pos_,
                               "numbers cannot start with 0 (octal is not supported)");
        }
        if (i < source_.size() && source_[i] == '.') {
            ++i;
            while (i < source_.size() && is_digit(source_[i])) ++i;
        }
        if (i < source_.size() && (source_[i] == 'e' || source_[i] == 'E')) {
            std::size_t j = i + 1;
            if (j < source_.size() && (source_[j] == '+' || source_[j] == '-')) ++j;
            const std::size_t digits = j;
            while (j < source_.size() && is_digit(source_[j])) ++j;
            if (j == digits) throw_syntax_error(source_, i, "missing digits in the exponent");
            i = j;
        }
        if (i < source_.size() && (is_identifier_part(source_[i]) || source_[i] == '.')) {
            throw_syntax_error(source_, i, "unexpected character after a number");
        }
        token.end = i;
        token.number = decimal_to_double(source_.substr(pos_, i - pos_));
        pos_ = i;
        return token;
    }

    /// Reads exactly `count` hex digits at pos_.
    char32_t hex_digits(std::size_t count) {
        char32_t value = 0;
        for (std::size_t k = 0; k < count; ++k) {
            const int h = pos_ < source_.size() ? hex_value(source_[pos_]) : -1;
            if (h < 0) throw_syntax_error(source_, pos_, "invalid hexadecimal escape");
            value = value * 16 + static_cast<char32_t>(h);
            ++pos_;
        }
        return value;
    }

    /// The code point of a \u escape (pos_ just after "\u"): XXXX or {X...}.
    char32_t unicode_escape() {
        if (pos_ < source_.size() && source_[pos_] == '{') {
            ++pos_;
            char32_t value = 0;
            std::size_t digits = 0;
            while (pos_ < source_.size() && source_[pos_] != '}') {
                const int h = hex_value(source_[pos_]);
                if (h < 0 || value > 0x10FFFF) {
                    throw_syntax_error(source_, pos_, "invalid \\u{...} escape");
                }
                value = value * 16 + static_cast<char32_t>(h);
                ++digits;
                ++pos_;
            }
            if (pos_ >= source_.size() || digits == 0 || value > 0x10FFFF) {
                throw_syntax_error(source_, pos_, "invalid \\u{...} escape");
            }
            ++pos_;
            return value;
        }
        return hex_digits(4);
    }

    Token string() {
        const char quote = source_[pos_];
        Token token = start_token(Token::Type::String);
        ++pos_;
        // A high surrogate escape waiting for its low half (a lone half becomes U+FFFD).
        char32_t pending_high = 0;
        const auto flush_high = [&] {
            if (pending_high != 0) append_utf8(token.text, 0xFFFD);
            pending_high = 0;
        };
        while (true) {
            if (pos_ >= source_.size() || source_[pos_] == '\n' || source_[pos_] == '\r') {
                throw_syntax_error(source_, token.begin, "unterminated string");
            }
            const char c = source_[pos_];
            if (c == quote) {
                ++pos_;
                break;
            }
            if (c != '\\') {
                flush_high();
                const CodePoint cp = decode_utf8(source_, pos_);
                append_utf8(token.text, cp.value);
                pos_ += cp.size;
                continue;
            }
            const std::size_t escape_at = pos_;
            ++pos_;
            if (pos_ >= source_.size())
                throw_syntax_error(source_, token.begin, "unterminated string");
            const char e = source_[pos_++];
            char32_t cp = 0;
            switch (e) {
                case 'n': cp = '\n'; break;
                case 't': cp = '\t'; break;
                case 'r': cp = '\r'; break;
                case 'b': cp = '\b'; break;
                case 'f': cp = '\f'; break;
                case 'v': cp = '\v'; break;
                case 'x': cp = hex_digits(2); break;
                case 'u': cp = unicode_escape(); break;
                case '0':
                    if (pos_ < source_.size() && is_digit(source_[pos_])) {
                        throw_syntax_error(source_, escape_at, "octal escapes are not supported");
                    }
                    cp = 0;
                    break;
                case '\r':
                    if (pos_ < source_.size() && source_[pos_] == '\n') ++pos_;
                    [[fallthrough]];
                case '\n': continue;  // line continuation
                default:
                    if (is_digit(e)) {
                        throw_syntax_error(source_, escape_at, "octal escapes are not supported");
                    }
                    // Identity escape (\\ \' \" \/ ...): the character itself.
                    pos_ = escape_at + 1;
                    const CodePoint raw = decode_utf8(source_, pos_);
                    pos_ += raw.size;
                    cp = raw.value;
                    break;
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF && pending_high != 0) {
                append_utf8(token.text, 0x10000 + ((pending_high - 0xD800) << 10) + (cp - 0xDC00));
                pending_high = 0;
                continue;
            }
            flush_high();
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                pending_high = cp;
            } else {
                append_utf8(token.text, cp);  // a lone low surrogate becomes U+FFFD
            }
        }
        flush_high();
        token.end = pos_;
        return token;
    }

    Token identifier() {
        Token token = start_token(Token::Type::Identifier);
        std::size_t i = pos_;
        while (i < source_.size() && is_identifier_part(source_[i])) ++i;
        token.text = std::string(source_.substr(pos_, i - pos_));
        token.end = pos_ = i;
        return token;
    }

    Token punctuator() {
        const std::string_view rest = source_.substr(pos_);
        // Checked before the supported ones so that "**" is not read as two "*".
        for (const Unsupported& u : kUnsupported) {
            if (rest.starts_with(u.text) && !(u.text == "=" && rest.starts_with("=="))) {
                if (u.text == "&" && rest.starts_with("&&")) continue;
                if (u.text == "|" && rest.starts_with("||")) continue;
                if (u.text == "?." && rest.size() > 2 && is_digit(rest[2])) continue;  // a?.5:1
                throw_syntax_error(source_, pos_, std::string(u.message));
            }
        }
        for (std::string_view p : kPunctuators) {
            if (rest.starts_with(p)) {
                Token token = start_token(Token::Type::Punctuator);
                token.end = pos_ + p.size();
                token.text = std::string(p);
                pos_ += p.size();
                return token;
            }
        }
        const CodePoint cp = decode_utf8(source_, pos_);
        std::string shown;
        append_utf8(shown, cp.value);
        throw_syntax_error(source_, pos_, "unexpected character '" + shown + "'");
    }

    std::string_view source_;
    std::size_t pos_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

std::string column_text(std::string_view source, std::size_t offset) {
    return "at column " + std::to_string(code_point_count(source.substr(0, offset)) + 1);
}

void throw_syntax_error(std::string_view source, std::size_t offset, const std::string& message) {
    throw ExpressionError("syntax error " + column_text(source, offset) + ": " + message);
}

}  // namespace clara::engine::expr
