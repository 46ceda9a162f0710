set(CLARA_UTIL_SOURCES
    src/util/crypto.cpp
    src/util/time_format.cpp
    src/util/base64.cpp
    src/util/embedded_files.cpp
    src/util/json_text.cpp
    src/util/utf8.cpp
)
