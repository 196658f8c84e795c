# appconnect_warnings(TARGET): the project's warning set; errors when APPCONNECT_WERROR is on (CI).
add_library(appconnect_build_flags INTERFACE)
target_compile_options(appconnect_build_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
  $<$<BOOL:${APPCONNECT_WERROR}>:-Werror>)
if(APPCONNECT_SANITIZE)
  target_compile_options(appconnect_build_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined
    # GCC 12's flow analysis under -fsanitize=address reports uninitialized members inside libstdc++
    # itself (std::regex's NFA states); the sanitizers check the real thing at run time.
    -Wno-maybe-uninitialized)
  target_link_options(appconnect_build_flags INTERFACE -fsanitize=address,undefined)
endif()
# Boost.DLL must use std::filesystem everywhere it is included (no Boost.Filesystem mix).
target_compile_definitions(appconnect_build_flags INTERFACE BOOST_DLL_USE_STD_FS)
