// If-else conditions (nodes.md § 7.1): parse, then evaluate against a few fixed inputs.
// ExpressionError is the only failure the language may report; anything else is a finding.

#include "engine/expression.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

using namespace clara;

namespace {

const std::array<boost::json::value, 6>& inputs() {
    static const std::array<boost::json::value, 6> values{
        boost::json::value("Hello, World! 123"),
        boost::json::value(42.5),
        boost::json::parse(R"({"name":"Ada","age":36,"tags":["a","b"],"nested":{"k":null,)"
                           R"("n":-0.0,"list":[1,2,3]},"empty":"","flag":true})"),
        boost::json::value(nullptr),
        boost::json::parse(R"([0,"1",[2],{"three":3},null,false])"),
        boost::json::value(true),
    };
    return values;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view source(reinterpret_cast<const char*>(data), size);
    std::optional<engine::Expression> expression;
    try {
        expression.emplace(engine::Expression::parse(source));
    } catch (const engine::ExpressionError&) {
        return 0;
    }
    for (const auto& input : inputs()) {
        try {
            (void)expression->evaluate_truthy(input);
        } catch (const engine::ExpressionError&) {
        }
        try {
            (void)expression->evaluate(input);
        } catch (const engine::ExpressionError&) {
        }
    }
    return 0;
}
