list(APPEND CLARA_NODES_SOURCES
    src/nodes/services/service_catalog.cpp
)
