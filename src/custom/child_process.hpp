#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace clara::custom {

/// A started child process and this process's ends of its standard streams.
struct ChildProcess {
    pid_t pid = -1;
    int stdin_fd = -1;   ///< Unix stream socket connected to the child's stdin (write to it)
    int stdout_fd = -1;  ///< Unix stream socket connected to the child's stdout (read it)
    int stderr_fd = -1;  ///< pipe from the child's stderr (read it)
};

/// Starts `argv[0]` (a path) with `argv`: an empty environment, working directory "/", a process
/// group of its own (terminal signals do not reach it), default signal handling, no core dumps,
/// and none of this process's descriptors but the three streams. stdin/stdout are sockets so
/// that writing to a dead child fails with EPIPE instead of raising SIGPIPE.
/// Throws std::system_error.
ChildProcess spawn_child(const std::vector<std::string>& argv);

/// Sends SIGKILL to `pid` (ignored when it is already gone).
void kill_child(pid_t pid);

/// Reaps `pid` if it has exited. True when reaped, or when it is not a child of ours any more.
bool try_reap_child(pid_t pid);

/// Waits for `pid` to exit, at most `limit`; true when reaped.
bool reap_child_blocking(pid_t pid, std::chrono::milliseconds limit);

/// `program` itself when it contains a '/', else the first executable file of that name in the
/// directories of PATH; empty when there is none.
std::string find_program(std::string_view program);

/// Runs `binary --version` (blocking, at most a few seconds) and returns its output without the
/// trailing newline, e.g. "v20.20.2". Throws std::runtime_error when it does not run.
std::string program_version(const std::string& binary);

}  // namespace clara::custom
