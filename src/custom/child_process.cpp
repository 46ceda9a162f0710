#include "custom/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace clara::custom {

namespace {

[[noreturn]] void throw_errno(int error, const std::string& what) {
    throw std::system_error(error, std::generic_category(), what);
}

/// Closes the descriptors it holds unless released.
struct FdGuard {
    std::vector<int> fds;
    ~FdGuard() {
        for (const int fd : fds) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }
};

void check(int result, const char* what) {
    if (result != 0) {
        throw_errno(result, what);
    }
}

}  // namespace

ChildProcess spawn_child(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        throw std::invalid_argument("spawn_child: empty argv");
    }
    int in[2];
    int out[2];
    int err[2];
    FdGuard child_ends;
    FdGuard parent_ends;
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
        throw_errno(errno, "socketpair");
    }
    parent_ends.fds.push_back(in[0]);
    child_ends.fds.push_back(in[1]);
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) != 0) {
        throw_errno(errno, "socketpair");
    }
    parent_ends.fds.push_back(out[0]);
    child_ends.fds.push_back(out[1]);
    if (::pipe2(err, O_CLOEXEC) != 0) {
        throw_errno(errno, "pipe2");
    }
    parent_ends.fds.push_back(err[0]);
    child_ends.fds.push_back(err[1]);

    posix_spawn_file_actions_t actions;
    check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init");
    posix_spawnattr_t attributes;
    if (const int rc = posix_spawnattr_init(&attributes); rc != 0) {
        posix_spawn_file_actions_destroy(&actions);
        throw_errno(rc, "posix_spawnattr_init");
    }
    pid_t pid = -1;
    int rc = 0;
    {
        // dup2 clears close-on-exec on the copies; everything else above 2 is closed.
        rc = rc != 0 ? rc : posix_spawn_file_actions_adddup2(&actions, in[1], STDIN_FILENO);
        rc = rc != 0 ? rc : posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        rc = rc != 0 ? rc : posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
        rc = rc != 0 ? rc : posix_spawn_file_actions_addclosefrom_np(&actions, 3);
        rc = rc != 0 ? rc : posix_spawn_file_actions_addchdir_np(&actions, "/");
        sigset_t empty;
        sigemptyset(&empty);
        sigset_t defaults;
        sigemptyset(&defaults);
        for (const int signal :
             {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM}) {
            sigaddset(&defaults, signal);
        }
        rc = rc != 0 ? rc : posix_spawnattr_setsigmask(&attributes, &empty);
        rc = rc != 0 ? rc : posix_spawnattr_setsigdefault(&attributes, &defaults);
        rc = rc != 0 ? rc : posix_spawnattr_setpgroup(&attributes, 0);
        rc = rc != 0 ? rc
                     : posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK |
                                                                 POSIX_SPAWN_SETSIGDEF |
                                                                 POSIX_SPAWN_SETPGROUP);
        if (rc == 0) {
            std::vector<char*> args;
            for (const auto& arg : argv) {
                args.push_back(const_cast<char*>(arg.c_str()));
            }
            args.push_back(nullptr);
            char* environment[] = {nullptr};
            rc =
                posix_spawn(&pid, argv[0].c_str(), &actions, &attributes, args.data(), environment);
        }
    }
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) {
        throw_errno(rc, "starting " + argv[0]);
    }
    // A crashing worker (e.g. out of memory, which aborts) must not leave a core file.
    const struct rlimit no_core { 0, 0 };
    ::prlimit(pid, RLIMIT_CORE, &no_core, nullptr);

    ChildProcess child;
    child.pid = pid;
    child.stdin_fd = in[0];
    child.stdout_fd = out[0];
    child.stderr_fd = err[0];
    parent_ends.fds.clear();
    return child;
}

void kill_child(pid_t pid) {
    if (pid > 0) {
        ::kill(pid, SIGKILL);
    }
}

bool try_reap_child(pid_t pid) {
    int status = 0;
    const auto result = ::waitpid(pid, &status, WNOHANG);
    return result == pid || (result < 0 && errno == ECHILD);
}

bool reap_child_blocking(pid_t pid, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!try_reap_child(pid)) {
        if (std::chrono::steady_clock::now() >= until) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

std::string find_program(std::string_view program) {
    if (program.empty()) {
        return {};
    }
    const auto executable = [](const std::string& path) {
        struct stat info {};
        return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
               ::access(path.c_str(), X_OK) == 0;
    };
    if (program.find('/') != std::string_view::npos) {
        const std::string path(program);
        return executable(path) ? path : std::string();
    }
    const char* env_path = std::getenv("PATH");
    const std::string_view dirs = env_path != nullptr ? env_path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        auto end = dirs.find(':', start);
        if (end == std::string_view::npos) {
            end = dirs.size();
        }
        const auto dir = dirs.substr(start, end - start);
        const auto candidate =
            (dir.empty() ? std::string(".") : std::string(dir)) + "/" + std::string(program);
        if (executable(candidate)) {
            return candidate;
        }
        start = end + 1;
    }
    return {};
}

std::string program_version(const std::string& binary) {
    auto child = spawn_child({binary, "--version"});
    ::close(child.stdin_fd);
    ::close(child.stderr_fd);
    std::string output;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    char chunk[256];
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        pollfd poll_fd{child.stdout_fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&poll_fd, 1, static_cast<int>(left.count())) == 0) {
            ::close(child.stdout_fd);
            kill_child(child.pid);
            reap_child_blocking(child.pid, std::chrono::seconds(5));
            throw std::runtime_error(binary + " --version did not answer");
        }
        const auto got = ::read(child.stdout_fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        output.append(chunk, static_cast<std::size_t>(got));
        if (output.size() > 4096) {
            break;
        }
    }
    ::close(child.stdout_fd);
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error(binary + " --version failed");
    }
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) {
        output.pop_back();
    }
    return output;
}

}  // namespace clara::custom
