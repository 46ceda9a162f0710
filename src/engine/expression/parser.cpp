#include "engine/expression/parser.hpp"

#include "engine/expression/builtins.hpp"
#include "engine/expression/lexer.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace clara::engine::expr {

namespace {

using Node = ExpressionNode;
using NodePtr = std::unique_ptr<ExpressionNode>;

// Left-nested chains such as 1+1+...+1 do not recurse while parsing, but evaluating and freeing
// them does; this bounds that recursion whatever the source length limit is.
constexpr std::size_t kMaxTreeHeight = 1000;

struct BinaryOperator {
    std::string_view text;
    Node::Op op;
};

constexpr std::array<BinaryOperator, 4> kEqualityOperators = {{
    {"===", Node::Op::StrictEqual},
    {"!==", Node::Op::StrictNotEqual},
    {"==", Node::Op::LooseEqual},
    {"!=", Node::Op::LooseNotEqual},
}};
constexpr std::array<BinaryOperator, 4> kRelationalOperators = {{
    {"<", Node::Op::Less},
    {"<=", Node::Op::LessEqual},
    {">", Node::Op::Greater},
    {">=", Node::Op::GreaterEqual},
}};
constexpr std::array<BinaryOperator, 2> kAdditiveOperators = {{
    {"+", Node::Op::Add},
    {"-", Node::Op::Subtract},
}};
constexpr std::array<BinaryOperator, 3> kMultiplicativeOperators = {{
    {"*", Node::Op::Multiply},
    {"/", Node::Op::Divide},
    {"%", Node::Op::Remainder},
}};

/// JS keywords that start constructs the language leaves out.
constexpr std::array<std::string_view, 16> kUnsupportedKeywords = {
    "new",   "this",  "function", "void",  "delete", "in",  "instanceof", "class",
    "await", "yield", "import",   "super", "var",    "let", "const",      "return",
};

class Parser {
public:
    Parser(std::string_view source, std::vector<Token> tokens, std::size_t max_nesting)
        : source_(source), tokens_(std::move(tokens)), max_nesting_(max_nesting) {}

    NodePtr run() {
        if (peek().type == Token::Type::End) {
            throw_syntax_error(source_, 0, "the expression is empty");
        }
        NodePtr root = conditional();
        if (peek().type != Token::Type::End) unexpected();
        return root;
    }

private:
    /// Counts one level of recursion for as long as it lives.
    class NestingGuard {
    public:
        explicit NestingGuard(Parser& parser) : parser_(parser) {
            if (++parser_.depth_ > parser_.max_nesting_) {
                throw_syntax_error(parser_.source_, parser_.peek().begin,
                                   "the expression is nested too deeply (more than " +
                                       std::to_string(parser_.max_nesting_) + " levels)");
            }
        }
        ~NestingGuard() { --parser_.depth_; }
        NestingGuard(const NestingGuard&) = delete;
        NestingGuard& operator=(const NestingGuard&) = delete;

    private:
        Parser& parser_;
    };

    const Token& peek() const { return tokens_[pos_]; }

    const Token& advance() {
        const Token& token = tokens_[pos_];
        if (token.type != Token::Type::End) ++pos_;
        return token;
    }

    bool at_punctuator(std::string_view p) const {
        return peek().type == Token::Type::Punctuator && peek().text == p;
    }

    bool at_identifier(std::string_view name) const {
        return peek().type == Token::Type::Identifier && peek().text == name;
    }

    std::string describe(const Token& token) const {
        if (token.type == Token::Type::End) return "end of the expression";
        return "'" + std::string(source_.substr(token.begin, token.end - token.begin)) + "'";
    }

    [[noreturn]] void unexpected() const {
        const Token& token = peek();
        if (token.type == Token::Type::Identifier &&
            std::find(kUnsupportedKeywords.begin(), kUnsupportedKeywords.end(), token.text) !=
                kUnsupportedKeywords.end()) {
            throw_syntax_error(source_, token.begin, "'" + token.text + "' is not supported");
        }
        throw_syntax_error(source_, token.begin, "unexpected " + describe(token));
    }

    void expect(std::string_view p) {
        if (!at_punctuator(p)) {
            throw_syntax_error(source_, peek().begin,
                               "expected '" + std::string(p) + "' but found " + describe(peek()));
        }
        advance();
    }

    std::size_t last_end() const { return pos_ == 0 ? 0 : tokens_[pos_ - 1].end; }

    /// Builds a node over `children`, spanning from the first child (or `begin`) to the last
    /// consumed token.
    NodePtr make(Node::Kind kind,
                 Node::Op op,
                 std::size_t begin,
                 std::size_t operator_at,
                 std::vector<NodePtr> children) {
        auto node = std::make_unique<Node>();
        node->kind = kind;
        node->op = op;
        node->begin = begin;
        node->end = last_end();
        node->operator_at = operator_at;
        for (const NodePtr& child : children) {
            node->height = std::max(node->height, child->height + 1);
        }
        if (node->height > kMaxTreeHeight) {
            throw_syntax_error(source_, operator_at, "the expression is too complex");
        }
        node->children = std::move(children);
        return node;
    }

    template <std::size_t N>
    const BinaryOperator* match(const std::array<BinaryOperator, N>& operators) const {
        if (peek().type != Token::Type::Punctuator) return nullptr;
        for (const BinaryOperator& candidate : operators) {
            if (peek().text == candidate.text) return &candidate;
        }
        return nullptr;
    }

    /// One left-associative level of binary operators.
    template <std::size_t N, typename Next>
    NodePtr binary_level(const std::array<BinaryOperator, N>& operators,
                         Node::Kind kind,
                         Next next) {
        NodePtr left = (this->*next)();
        while (const BinaryOperator* found = match(operators)) {
            const std::size_t at = advance().begin;
            NodePtr right = (this->*next)();
            const std::size_t begin = left->begin;
            std::vector<NodePtr> children;
            children.push_back(std::move(left));
            children.push_back(std::move(right));
            left = make(kind, found->op, begin, at, std::move(children));
        }
        return left;
    }

    NodePtr conditional() {
        NestingGuard guard(*this);
        NodePtr test = logical_or();
        if (!at_punctuator("?")) return test;
        const std::size_t at = advance().begin;
        NodePtr when_true = conditional();
        expect(":");
        NodePtr when_false = conditional();
        const std::size_t begin = test->begin;
        std::vector<NodePtr> children;
        children.push_back(std::move(test));
        children.push_back(std::move(when_true));
        children.push_back(std::move(when_false));
        return make(Node::Kind::Conditional, Node::Op::None, begin, at, std::move(children));
    }

    NodePtr logical_or() {
        static constexpr std::array<BinaryOperator, 1> kOr = {{{"||", Node::Op::Or}}};
        return binary_level(kOr, Node::Kind::Logical, &Parser::logical_and);
    }

    NodePtr logical_and() {
        static constexpr std::array<BinaryOperator, 1> kAnd = {{{"&&", Node::Op::And}}};
        return binary_level(kAnd, Node::Kind::Logical, &Parser::equality);
    }

    NodePtr equality() {
        return binary_level(kEqualityOperators, Node::Kind::Binary, &Parser::relational);
    }

    NodePtr relational() {
        NodePtr node = binary_level(kRelationalOperators, Node::Kind::Binary, &Parser::additive);
        if (at_identifier("in") || at_identifier("instanceof")) unexpected();
        return node;
    }

    NodePtr additive() {
        return binary_level(kAdditiveOperators, Node::Kind::Binary, &Parser::multiplicative);
    }

    NodePtr multiplicative() {
        return binary_level(kMultiplicativeOperators, Node::Kind::Binary, &Parser::unary);
    }

    /// Prefix operators are collected in a loop rather than by recursion, so "!!!!…x" costs
    /// no stack while parsing (only tree height, which make() bounds).
    NodePtr unary() {
        std::vector<std::pair<Node::Op, std::size_t>> prefixes;
        while (true) {
            Node::Op op = Node::Op::None;
            if (at_punctuator("!")) {
                op = Node::Op::Not;
            } else if (at_punctuator("-")) {
                op = Node::Op::Negate;
            } else if (at_punctuator("+")) {
                op = Node::Op::Plus;
            } else if (at_identifier("typeof")) {
                op = Node::Op::TypeOf;
            } else {
                break;
            }
            prefixes.emplace_back(op, advance().begin);
        }
        NodePtr node = postfix();
        for (auto it = prefixes.rbegin(); it != prefixes.rend(); ++it) {
            std::vector<NodePtr> children;
            children.push_back(std::move(node));
            node = make(Node::Kind::Unary, it->first, it->second, it->second, std::move(children));
        }
        return node;
    }

    NodePtr postfix() {
        NodePtr node = primary();
        while (true) {
            const std::size_t begin = node->begin;
            std::vector<NodePtr> children;
            if (at_punctuator(".")) {
                const std::size_t at = advance().begin;
                if (peek().type != Token::Type::Identifier) {
                    throw_syntax_error(source_, peek().begin,
                                       "expected a property name but found " + describe(peek()));
                }
                const Token& name = advance();
                if (is_forbidden_name(name.text)) {
                    throw_syntax_error(source_, name.begin,
                                       "access to '" + name.text + "' is not allowed");
                }
                children.push_back(std::move(node));
                node = make(Node::Kind::Member, Node::Op::None, begin, at, std::move(children));
                node->name = name.text;
            } else if (at_punctuator("[")) {
                const std::size_t at = advance().begin;
                children.push_back(std::move(node));
                children.push_back(conditional());
                expect("]");
                node = make(Node::Kind::Index, Node::Op::None, begin, at, std::move(children));
            } else if (at_punctuator("(")) {
                const std::size_t at = advance().begin;
                children.push_back(std::move(node));
                if (!at_punctuator(")")) {
                    children.push_back(conditional());
                    while (at_punctuator(",")) {
                        advance();
                        children.push_back(conditional());
                    }
                }
                expect(")");
                node = make(Node::Kind::Call, Node::Op::None, begin, at, std::move(children));
            } else {
                return node;
            }
        }
    }

    NodePtr literal(const Token& token, expr::Value value) {
        NodePtr node = make(Node::Kind::Literal, Node::Op::None, token.begin, token.begin, {});
        node->literal = std::move(value);
        return node;
    }

    NodePtr primary() {
        const Token& token = peek();
        switch (token.type) {
            case Token::Type::Number: advance(); return literal(token, token.number);
            case Token::Type::String: advance(); return literal(token, Text::owned(token.text));
            case Token::Type::Identifier: {
                const std::string& name = token.text;
                if (name == "true" || name == "false") {
                    advance();
                    return literal(token, name == "true");
                }
                if (name == "null") {
                    advance();
                    return literal(token, nullptr);
                }
                if (name == "undefined") {
                    advance();
                    return literal(token, Undefined{});
                }
                if (name == "input" || name == "value" || name == "condition") {
                    advance();
                    return make(Node::Kind::Input, Node::Op::None, token.begin, token.begin, {});
                }
                if (auto global = lookup_global(name)) {
                    advance();
                    return literal(token, std::move(*global));
                }
                if (std::find(kUnsupportedKeywords.begin(), kUnsupportedKeywords.end(), name) !=
                    kUnsupportedKeywords.end()) {
                    unexpected();
                }
                throw_syntax_error(source_, token.begin,
                                   "unknown identifier '" + name +
                                       "' (known: input, value, condition, Number, String, "
                                       "Boolean, isNaN, isFinite, parseInt, parseFloat, Math)");
            }
            case Token::Type::Punctuator:
                if (token.text == "(") {
                    advance();
                    NodePtr inner = conditional();
                    expect(")");
                    return inner;
                }
                break;
            case Token::Type::End: break;
        }
        unexpected();
    }

    std::string_view source_;
    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;
    std::size_t max_nesting_;
};

}  // namespace

std::unique_ptr<ExpressionNode> parse_syntax_tree(std::string_view source,
                                                  std::size_t max_nesting) {
    return Parser(source, tokenize(source), max_nesting).run();
}

}  // namespace clara::engine::expr
