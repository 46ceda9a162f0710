#include "custom/worker_script.hpp"

#include "util/embedded_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace clara::custom {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("writing the custom node worker script");
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
}

}  // namespace

std::string_view embedded_worker_script() {
    const auto script = util::find_embedded_file("src/custom/sandbox_worker.js");
    if (!script) {
        throw std::logic_error("src/custom/sandbox_worker.js is not embedded");
    }
    return *script;
}

WorkerScriptFile::WorkerScriptFile(std::string_view source) {
    const char* tmp = std::getenv("TMPDIR");
    std::string base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    std::vector<char> pattern(base.begin(), base.end());
    const std::string_view suffix = "/clara-custom-nodes-XXXXXX";
    pattern.insert(pattern.end(), suffix.begin(), suffix.end());
    pattern.push_back('\0');
    if (::mkdtemp(pattern.data()) == nullptr) {  // mode 0700
        throw_errno("creating a directory for the custom node worker script");
    }
    directory_ = pattern.data();
    const auto file = directory_ + "/sandbox_worker.js";
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int error = errno;
        ::rmdir(directory_.c_str());
        throw std::system_error(error, std::generic_category(), "creating " + file);
    }
    try {
        write_all(fd, source);
    } catch (...) {
        ::close(fd);
        ::unlink(file.c_str());
        ::rmdir(directory_.c_str());
        throw;
    }
    ::close(fd);
    // Node grants by resolved path, so the grant must name the real location.
    char resolved[PATH_MAX];
    path_ = ::realpath(file.c_str(), resolved) != nullptr ? std::string(resolved) : file;
}

WorkerScriptFile::~WorkerScriptFile() {
    ::unlink(path_.c_str());
    ::rmdir(directory_.c_str());
}

}  // namespace clara::custom
