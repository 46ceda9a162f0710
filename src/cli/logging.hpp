#pragma once

#include "config/settings.hpp"

namespace clara::cli {

/// Sets up the process log: level (LOG_LEVEL), format (LOG_FORMAT: readable text or one JSON
/// object per line), stdout plus an optional file (LOG_FILE). Throws when the file cannot be opened.
void configure_logging(const config::Settings& settings);

}  // namespace clara::cli
