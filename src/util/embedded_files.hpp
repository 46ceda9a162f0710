#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace clara::util {

/// A file compiled into the binary at build time (see cmake/embed_files.cmake).
struct EmbeddedFile {
    std::string_view path;  ///< path relative to the source tree, e.g. "src/storage/migrations/..."
    std::string_view bytes;
};

/// Every embedded file, in the order listed in cmake/embed_files.cmake.
std::span<const EmbeddedFile> embedded_files();

/// The embedded file at `path`, if any.
std::optional<std::string_view> find_embedded_file(std::string_view path);

}  // namespace clara::util
