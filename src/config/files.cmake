set(CLARA_CONFIG_SOURCES
    src/config/env_reader.cpp
    src/config/service_settings.cpp
    src/config/settings.cpp
)
