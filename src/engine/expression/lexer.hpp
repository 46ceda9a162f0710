#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace clara::engine::expr {

/// One token of an expression; `begin`/`end` are byte offsets into the source.
struct Token {
    enum class Type { Number, String, Identifier, Punctuator, End };

    Type type = Type::End;
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string text;  ///< identifier name, punctuator, or decoded string literal
    double number = 0;
};

/// Splits `source` into tokens, ending with an End token. Throws ExpressionError.
std::vector<Token> tokenize(std::string_view source);

/// "at column N" for a byte offset (columns count characters from 1).
std::string column_text(std::string_view source, std::size_t offset);

/// Throws ExpressionError("syntax error at column N: <message>").
[[noreturn]] void throw_syntax_error(std::string_view source,
                                     std::size_t offset,
                                     const std::string& message);

}  // namespace clara::engine::expr
