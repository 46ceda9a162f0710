set(CLARA_STORAGE_SOURCES
    src/storage/migrations.cpp
    src/storage/open_store.cpp
    src/storage/sqlite/sqlite_connection.cpp
    src/storage/sqlite/sqlite_store.cpp
)
