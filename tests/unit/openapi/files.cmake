set(CLARA_OPENAPI_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/field_map_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/slug_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/workflow_schema_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/openapi_builder_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/input_validator_test.cpp
    # This binary does not link the service module; slug.cpp has no other dependency than util.
    ${CMAKE_CURRENT_LIST_DIR}/../../../src/service/slug.cpp
)
