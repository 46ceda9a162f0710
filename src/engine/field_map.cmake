set(CLARA_ENGINE_FIELDMAP_SOURCES src/engine/field_map.cpp)
