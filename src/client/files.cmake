set(CLARA_CLIENT_SOURCES
    src/client/outbound_policy.cpp
    src/client/connection_pool.cpp
    src/client/beast_http_client.cpp
    src/client/asio_timer.cpp
)
