set(CLARA_WEB_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/content_type_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/html_escape_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/html_template_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/static_assets_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/asset_response_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pages_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/runner_openapi_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/web_routes_test.cpp
)
# The OpenAPI test reads src/api/routes.cpp to check that every route is documented.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/runner_openapi_test.cpp PROPERTIES
    COMPILE_DEFINITIONS "CLARA_SOURCE_DIR=\"${CMAKE_SOURCE_DIR}\"")
