#pragma once

#include "engine/expression/eval_context.hpp"
#include "engine/expression/value.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace clara::engine::expr {

/// The value of a global name (Number, String, Boolean, isNaN, isFinite, parseInt, parseFloat,
/// Math); nullopt for any other name.
std::optional<Value> lookup_global(std::string_view name);

/// Names refused as members everywhere, since in JS they lead to the Function constructor.
bool is_forbidden_name(std::string_view name);

/// `object[key]` restricted to the allowed members: string length/methods/index, array
/// length/includes/indexOf/index, object properties, Math members. Unknown members are
/// undefined. Throws ScriptError for null/undefined receivers and forbidden names.
Value get_property(const Value& object, std::string_view key);

/// Calls a builtin with already evaluated arguments.
Value call_builtin(const Function& fn, const std::vector<Value>& args, EvalContext& context);

}  // namespace clara::engine::expr
