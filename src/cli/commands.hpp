#pragma once

#include <map>
#include <string>

namespace clara::cli {

/// `clara-runner serve`: runs the HTTP server until SIGINT/SIGTERM. Returns the exit code.
int serve();

/// `clara-runner migrate`: applies pending migrations to the configured database.
int migrate();

/// `clara-runner validate FILE`: prints every problem of a workflow file; 1 if there are any.
int validate(const std::string& path);

/// `clara-runner run FILE --input name=value ...`: executes a workflow locally and prints the
/// outputs as JSON.
int run(const std::string& path, const std::map<std::string, std::string>& inputs);

}  // namespace clara::cli
