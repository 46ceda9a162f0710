set(CLARA_SERVICE_SLUG_SOURCES src/service/slug.cpp)
