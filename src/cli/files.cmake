set(CLARA_CLI_SOURCES
    src/cli/serve_command.cpp
    src/cli/offline_commands.cpp
    src/cli/logging.cpp
    src/cli/node_runtime.cpp
    src/cli/open_file_limit.cpp
    src/cli/idle_memory.cpp
)
