include(${CMAKE_CURRENT_LIST_DIR}/slug.cmake OPTIONAL)

set(CLARA_SERVICE_SOURCES
    src/service/api_key.cpp
    src/service/deployed_workflow.cpp
    src/service/deployment_cache.cpp
    src/service/deployment_directory.cpp
    src/service/execution_recorder.cpp
    src/service/execution_gate.cpp
    src/service/rate_limiter.cpp
    src/service/rate_limit_counter.cpp
    src/service/memory_rate_limit_counter.cpp
    src/service/store_rate_limit_counter.cpp
    ${CLARA_SERVICE_SLUG_SOURCES}
)
