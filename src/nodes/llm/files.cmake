list(APPEND CLARA_NODES_SOURCES
    src/nodes/llm/model_catalog.cpp
)
