#include "util/embedded_files.hpp"

namespace clara::util {

std::optional<std::string_view> find_embedded_file(std::string_view path) {
    for (const auto& file : embedded_files()) {
        if (file.path == path) {
            return file.bytes;
        }
    }
    return std::nullopt;
}

}  // namespace clara::util
