set(CLARA_CUSTOM_SOURCES
    src/custom/worker_script.cpp
    src/custom/child_process.cpp
    src/custom/worker_protocol.cpp
    src/custom/node_sandbox.cpp
)
