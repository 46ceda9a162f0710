set(CLARA_CONFIG_SOURCES
    src/config/settings.cpp
)
