# Third-party packages, all from Debian 12 (see scripts/lib/debian-packages.txt and
# docs/adr/0002-dependency-stack.md for the traps handled here).

find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json filesystem)

# Poco 1.11's DataPostgreSQL config refers to PostgreSQL::client, which nothing defines (poco#3036).
find_package(PostgreSQL REQUIRED)
if(NOT TARGET PostgreSQL::client)
  add_library(PostgreSQL::client INTERFACE IMPORTED)
  target_link_libraries(PostgreSQL::client INTERFACE PostgreSQL::PostgreSQL)
endif()
find_package(Poco REQUIRED COMPONENTS Foundation Net NetSSL Crypto Util Data DataSQLite DataPostgreSQL)

find_package(PhoneNumber REQUIRED)

# libcrypto for AES-256-GCM (secrets at rest) and SHA-256 (the audit chain); Debian's libssl-dev.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)

find_package(Threads REQUIRED)

if(APPCONNECT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
