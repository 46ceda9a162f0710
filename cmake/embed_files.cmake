# Files compiled into the binary (migrations, web pages and assets): each becomes a byte table
# in a generated .cpp, looked up by its path relative to the source tree.
set(CLARA_EMBEDDED_FILES
    src/storage/migrations/sqlite/V001__init.sql
    src/storage/migrations/sqlite/V002__token_usage.sql
    src/storage/migrations/sqlite/V003__lean_execution_indexes.sql
    src/storage/migrations/postgres/V001__init.sql
    src/storage/migrations/postgres/V002__token_usage.sql
    # Pages, scripts and styles of the dashboard and documentation pages (src/web/).
    web/dashboard/index.html
    web/dashboard/dashboard.css
    web/dashboard/dashboard.js
    web/docs/docs.html
    web/docs/docs.css
    web/docs/docs.js
    web/openapi/runner-api.json
    # Swagger UI, from the npm package pinned in package.json (`npm ci` installs it).
    node_modules/swagger-ui-dist/swagger-ui.css
    node_modules/swagger-ui-dist/swagger-ui-bundle.js
    node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js
    node_modules/swagger-ui-dist/favicon-16x16.png
    node_modules/swagger-ui-dist/favicon-32x32.png
    # The custom node worker, written to a private file when custom nodes are enabled (src/custom/).
    src/custom/sandbox_worker.js
)

if(NOT EXISTS ${CMAKE_SOURCE_DIR}/node_modules/swagger-ui-dist/swagger-ui-bundle.js)
    message(FATAL_ERROR "node_modules/swagger-ui-dist is missing: run `npm ci` in "
                        "${CMAKE_SOURCE_DIR} (or `make build`, which does it)")
endif()

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
