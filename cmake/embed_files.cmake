# Files compiled into the binary (migrations now, web assets later): each becomes a byte table
# in a generated .cpp, looked up by its path relative to the source tree.
set(CLARA_EMBEDDED_FILES
    src/storage/migrations/sqlite/V001__init.sql
    src/storage/migrations/postgres/V001__init.sql
)

set(CLARA_EMBED_OUTPUT ${CMAKE_BINARY_DIR}/generated/embedded_files.cpp)
set(CLARA_EMBED_INPUTS)
foreach(file ${CLARA_EMBEDDED_FILES})
    list(APPEND CLARA_EMBED_INPUTS ${CMAKE_SOURCE_DIR}/${file})
endforeach()

add_custom_command(
    OUTPUT ${CLARA_EMBED_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${CLARA_EMBED_OUTPUT}
            "-DFILES=${CLARA_EMBEDDED_FILES}" -P ${CMAKE_SOURCE_DIR}/cmake/generate_embedded.cmake
    DEPENDS ${CLARA_EMBED_INPUTS} ${CMAKE_SOURCE_DIR}/cmake/generate_embedded.cmake
    COMMENT "Embedding ${CMAKE_SOURCE_DIR} assets"
    VERBATIM)

set(CLARA_EMBEDDED_SOURCES ${CLARA_EMBED_OUTPUT})
