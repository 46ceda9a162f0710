set(CLARA_STORAGE_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/migrations_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/open_store_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sqlite_store_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/store_conformance_test.cpp
)
