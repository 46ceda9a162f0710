#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace clara::engine::expr {

/// A runtime failure inside a builtin or a property access; the evaluator turns it into an
/// ExpressionError that names the column.
class ScriptError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Per-evaluation state: the bound input and the budgets that keep hostile expressions cheap.
struct EvalContext {
    std::string_view source;
    const boost::json::value* input = nullptr;
    std::size_t steps = 0;
    std::size_t max_steps = 0;
    std::size_t string_bytes = 0;
    std::size_t max_string_bytes = 0;

    /// Accounts for `bytes` of newly built string; throws ScriptError over the budget.
    void charge_string(std::size_t bytes) {
        string_bytes += bytes;
        if (string_bytes > max_string_bytes) {
            throw ScriptError("the expression builds too much text (more than " +
                              std::to_string(max_string_bytes) + " bytes)");
        }
    }
};

}  // namespace clara::engine::expr
