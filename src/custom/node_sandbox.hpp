#pragma once

#include "engine/http_client.hpp"
#include "engine/script_sandbox.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace clara::custom {

/// How custom node code is run (nodes.md § 23).
struct SandboxSettings {
    std::string node_binary = "node";          ///< a path, or a name looked up in PATH
    std::size_t workers = 2;                   ///< worker processes at most (calls queue beyond)
    std::chrono::milliseconds timeout{30000};  ///< wall time of one call (CUSTOM_NODE_TIMEOUT_MS)
    std::size_t memory_mb = 64;                ///< heap limit of a worker (--max-old-space-size)
    bool fetch_enabled = false;                ///< CUSTOM_NODE_FETCH: code may call fetch()
    /// Body cap of one fetch response; small because the whole body enters a 64 MiB worker.
    std::size_t fetch_max_response_bytes = 5 * 1024 * 1024;
};

/// What the pool has done so far (for logs and tests).
struct SandboxStats {
    std::size_t calls = 0;            ///< calls accepted by run()
    std::size_t workers_started = 0;  ///< worker processes spawned
    std::size_t workers_killed = 0;   ///< ended by the pool (timeout, cancel, misbehaviour)
    std::size_t workers_crashed = 0;  ///< exited by themselves (crash, memory limit)
    std::vector<pid_t> worker_pids;   ///< workers alive now
    std::string node_version;         ///< e.g. "v20.20.2"
};

/// The custom node sandbox: a small pool of Node.js worker processes, each started with the
/// permission model on (it may read its own script and nothing else; no file writes, child
/// processes or worker threads), an empty environment and a V8 heap limit. A call runs in a
/// fresh `node:vm` context of a free worker (JSON lines over the worker's stdin/stdout). A
/// worker that times out, is abandoned or misbehaves is killed; one that crashes is reaped;
/// both are replaced. `fetch` goes through the runner's engine::HttpClient, so the outbound
/// policy applies.
class NodeSandbox : public engine::ScriptSandbox {
public:
    /// Kills every worker, fails the calls still queued or running ("the custom node runtime
    /// was shut down"; their `done` runs only if the io_context still runs) and removes the
    /// worker script. Idempotent; safe from any thread, also after the io_context stopped.
    virtual void shutdown() = 0;

    virtual SandboxStats stats() const = 0;
};

/// The command line of a worker running `script_path` with Node.js at `node_path`: the
/// permission model on with read access to the script only, the heap limit, code generation
/// from strings off in the worker's own realm (the vm contexts keep eval) and no global fetch.
std::vector<std::string> worker_command(const std::string& node_path,
                                        const std::string& script_path, std::size_t memory_mb);

/// Starts the sandbox on `io`: checks that `settings.node_binary` is Node.js 20 or later
/// (the permission model), writes the embedded worker script to a private temp file and starts
/// `settings.workers` workers. fetch() is offered to the code only when
/// `settings.fetch_enabled` and `fetch_client` is not null. Throws std::runtime_error when Node
/// is missing or too old, or the script cannot be written.
std::shared_ptr<NodeSandbox> start_node_sandbox(boost::asio::io_context& io,
                                                SandboxSettings settings,
                                                std::shared_ptr<engine::HttpClient> fetch_client);

}  // namespace clara::custom
