# The expression language and the field map keep their own lists (expression.cmake,
# field_map.cmake) so they can be built and tested on their own.
include(${CMAKE_CURRENT_LIST_DIR}/expression.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/field_map.cmake OPTIONAL)

set(CLARA_ENGINE_SOURCES
    src/engine/workflow_document.cpp
    src/engine/node.cpp
    src/engine/compiler.cpp
    src/engine/execution_context.cpp
    src/engine/execution.cpp
    ${CLARA_ENGINE_EXPRESSION_SOURCES}
    ${CLARA_ENGINE_FIELDMAP_SOURCES}
)
