#include "cli/open_file_limit.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace clara::cli {
namespace {

// Database connections, log file, listening socket, custom-node workers and the like.
constexpr long kReservedFiles = 64;

}  // namespace

long raise_open_file_limit(long max_concurrent_executions) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        spdlog::warn("cannot read the open-file limit: {}", std::strerror(errno));
        return -1;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            limit = raised;
        } else {
            spdlog::warn("cannot raise the open-file limit from {} to {}: {}", limit.rlim_cur,
                         limit.rlim_max, std::strerror(errno));
        }
    }
    const auto in_force = limit.rlim_cur == RLIM_INFINITY ? -1L : static_cast<long>(limit.rlim_cur);
    const long needed = 2 * max_concurrent_executions + kReservedFiles;
    if (in_force >= 0 && in_force < needed) {
        spdlog::warn("the open-file limit ({}) is below the {} that MAX_CONCURRENT_EXECUTIONS={} "
                     "may need (a caller's connection and a service call each); executions past "
                     "it fail with 'Too many open files'. Raise the hard limit (ulimit -Hn, "
                     "LimitNOFILE=) or lower MAX_CONCURRENT_EXECUTIONS",
                     in_force, needed, max_concurrent_executions);
    }
    return in_force;
}

}  // namespace clara::cli
