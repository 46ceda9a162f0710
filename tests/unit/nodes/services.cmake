list(APPEND CLARA_NODES_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/services/service_helpers_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/services/api_request_node_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/services/comfyui_image_node_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/services/audio_nodes_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/services/notebook_nodes_test.cpp
)
