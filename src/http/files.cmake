set(CLARA_HTTP_SOURCES
    src/http/message.cpp
    src/http/router.cpp
    src/http/request_target.cpp
    src/http/server.cpp
)
