set(CLARA_OPENAPI_SOURCES
    src/openapi/workflow_schema.cpp
    src/openapi/openapi_builder.cpp
    src/openapi/input_validator.cpp
)
