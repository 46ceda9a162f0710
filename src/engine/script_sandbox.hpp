#pragma once

// Where custom node code runs (nodes.md § 23), as nodes see it. The implementation (a pool of
// isolated Node.js processes, in src/custom/) stays behind this interface so nodes and the
// engine never include Asio.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace clara::engine {

class ExecutionContext;

/// Largest accepted `executionCode` of a custom node definition, in bytes.
inline constexpr std::size_t kMaxScriptCodeBytes = 100 * 1024;
/// Largest accepted result of one script call, as JSON text, in bytes.
inline constexpr std::size_t kMaxScriptResultBytes = 1024 * 1024;

/// One call of custom node code: `execute(inputs, properties, context)`.
struct ScriptCall {
    /// The source; it defines `execute` (a function named so, declared at top level).
    std::string code;
    boost::json::object inputs;
    boost::json::object properties;
    std::string node_id;    ///< for the execution log
    std::string node_name;  ///< `context.nodeName`
    /// Held by the sandbox until it no longer touches the ExecutionContext (NodeRun::keep_alive()).
    std::shared_ptr<void> keep_alive;
};

/// How a call ended.
struct ScriptOutcome {
    bool ok = false;
    /// ok: what execute returned (resolved), or nullopt when it returned undefined.
    std::optional<boost::json::value> value;
    /// !ok: the message ("Execution timeout" when the time ran out).
    std::string error;
    bool timed_out = false;
};

/// Runs custom node code in isolation. Safe to call from any thread.
class ScriptSandbox {
public:
    virtual ~ScriptSandbox() = default;

    /// Starts `call`; `done` runs exactly once, never inside run(), on a sandbox thread. Logging
    /// of the code (console.*, context.log...) goes to ctx.info/warn under call.node_id. The call
    /// ends with "Execution timeout" at the sandbox's time limit or ctx.deadline(), whichever
    /// comes first, and is abandoned when ctx is cancelled.
    virtual void run(ScriptCall call, ExecutionContext& ctx,
                     std::function<void(ScriptOutcome)> done) = 0;
};

}  // namespace clara::engine
