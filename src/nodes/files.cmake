set(CLARA_NODES_SOURCES
    src/nodes/builtin_catalog.cpp
    src/nodes/node_data.cpp
    src/nodes/json_path.cpp
    src/nodes/image_probe.cpp
    src/nodes/input_node.cpp
    src/nodes/output_node.cpp
    src/nodes/static_text_node.cpp
    src/nodes/combine_text_node.cpp
    src/nodes/json_parse_node.cpp
    src/nodes/json_stringify_node.cpp
    src/nodes/if_else_node.cpp
    src/nodes/image_input_node.cpp
    src/nodes/pdf_input_node.cpp
    src/nodes/file_upload_node.cpp
)
list(APPEND CLARA_NODES_SOURCES
    src/nodes/outbound_call.cpp
    src/nodes/url_origin.cpp
)
include(${CMAKE_CURRENT_LIST_DIR}/llm/files.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/services/files.cmake)
list(APPEND CLARA_NODES_SOURCES
    src/nodes/custom_node_definition.cpp
    src/nodes/custom_node.cpp
)
