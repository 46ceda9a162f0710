#pragma once

#include <string>
#include <string_view>

namespace clara::custom {

/// The worker JavaScript (src/custom/sandbox_worker.js, embedded in the binary) written to a
/// private file: a fresh directory of mode 0700 under TMPDIR (or /tmp) holding the script with
/// mode 0600, so that Node's permission model can grant read access to exactly that file.
/// Both are removed when this object is destroyed.
class WorkerScriptFile {
public:
    /// Writes `source`; throws std::system_error when the file cannot be written.
    explicit WorkerScriptFile(std::string_view source);
    ~WorkerScriptFile();

    WorkerScriptFile(const WorkerScriptFile&) = delete;
    WorkerScriptFile& operator=(const WorkerScriptFile&) = delete;

    /// Absolute path of the script, with symbolic links resolved.
    const std::string& path() const { return path_; }

private:
    std::string directory_;
    std::string path_;
};

/// The embedded worker script.
std::string_view embedded_worker_script();

}  // namespace clara::custom
