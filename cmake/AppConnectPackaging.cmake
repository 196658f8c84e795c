# Install rules and CPack packages (.deb and .tar.gz) of the host. Components:
#   runtime  bin/appconnect, the bundled plugins (lib/appconnect/plugins, where the host looks beside its
#            binary), the systemd unit, the default config (share/appconnect/config.json, copied to
#            /etc/appconnect by the .deb's postinst), the web console (share/appconnect/web, installed by
#            host/CMakeLists.txt), maintainer scripts
#   sdk      headers, the CMake package, the plugin template, appconnect-plugin-check and
#            appconnect-crm-sandbox (optional: a separate package)
# Everything lands under the packaging prefix /usr, so the .deb and the tarball have the same layout.
# Build them on an existing build tree: `cpack --config <build>/CPackConfig.cmake -G "DEB;TGZ"`.
include(GNUInstallDirs)

install(TARGETS appconnect RUNTIME DESTINATION bin COMPONENT runtime)
# The host looks for the plugin worker beside its own executable (plugin_isolation in the config).
install(TARGETS appconnect-plugin-worker RUNTIME DESTINATION bin COMPONENT runtime)
get_property(packaged_plugins GLOBAL PROPERTY APPCONNECT_PLUGIN_TARGETS)
foreach(plugin_target IN LISTS packaged_plugins)
  # Only the bundled plugins (plugins/<name>), not test fixtures or the template built by the tests.
  get_target_property(plugin_dir ${plugin_target} SOURCE_DIR)
  if(plugin_dir MATCHES "^${PROJECT_SOURCE_DIR}/plugins/")
    install(TARGETS ${plugin_target} LIBRARY DESTINATION lib/appconnect/plugins COMPONENT runtime)
    install(FILES "$<TARGET_FILE_DIR:${plugin_target}>/$<TARGET_FILE_BASE_NAME:${plugin_target}>.manifest.json"
      DESTINATION lib/appconnect/plugins COMPONENT runtime)
  endif()
endforeach()

set(APPCONNECT_INSTALLED_BIN "/usr/bin/appconnect")
set(APPCONNECT_SHARE_DIR "/usr/share/appconnect")
configure_file("${PROJECT_SOURCE_DIR}/packaging/appconnect.service.in" "${PROJECT_BINARY_DIR}/packaging/appconnect.service" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/packaging/appconnect.service" DESTINATION lib/systemd/system COMPONENT runtime)
install(FILES "${PROJECT_SOURCE_DIR}/packaging/config.json" DESTINATION share/appconnect COMPONENT runtime)
foreach(script postinst prerm postrm)
  configure_file("${PROJECT_SOURCE_DIR}/packaging/debian/${script}.in" "${PROJECT_BINARY_DIR}/packaging/debian/${script}"
    @ONLY FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()

foreach(tool appconnect-plugin-check appconnect-crm-sandbox)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION bin COMPONENT sdk)
  endif()
endforeach()

# Partner builds: the product name becomes the package name and description, the plugin list goes in
# the description (APPCONNECT_PRODUCT_NAME, APPCONNECT_PLUGINS).
string(TOLOWER "${APPCONNECT_PRODUCT_NAME}" package_name)
string(REGEX REPLACE "[^a-z0-9.+-]+" "-" package_name "${package_name}")
string(REPLACE ";" ", " plugin_list "${APPCONNECT_PLUGINS}")
set(CPACK_PACKAGE_NAME "${package_name}")
set(CPACK_PACKAGE_VENDOR "${APPCONNECT_PRODUCT_NAME}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${APPCONNECT_PRODUCT_NAME}: logs business phone calls and messages into the CRM")
set(CPACK_PACKAGE_DESCRIPTION "${APPCONNECT_PRODUCT_NAME} receives telephony events and logs them into CRMs through connector plugins. Bundled connectors: ${plugin_list}.")
set(CPACK_PACKAGE_CONTACT "${APPCONNECT_PRODUCT_NAME} maintainers <maintainers@example.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
# Packages carry stripped binaries (the build tree keeps the debug information); also keeps cpack fast.
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL runtime sdk)
set(CPACK_COMPONENT_RUNTIME_DISPLAY_NAME "${APPCONNECT_PRODUCT_NAME} host")
set(CPACK_COMPONENT_SDK_DISPLAY_NAME "${APPCONNECT_PRODUCT_NAME} plugin SDK")
set(CPACK_COMPONENT_SDK_DESCRIPTION "Headers, CMake package, plugin template, appconnect-plugin-check and the CRM sandbox")

set(CPACK_ARCHIVE_COMPONENT_INSTALL ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME "${package_name}")
set(CPACK_DEBIAN_SDK_PACKAGE_NAME "${package_name}-sdk")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SDK_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_SDK_DESCRIPTION "Build CRM connector plugins for ${APPCONNECT_PRODUCT_NAME}: headers, CMake package, template, conformance checker, sandbox CRM.")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_SDK_PACKAGE_DEPENDS "${package_name} (= ${PROJECT_VERSION}), libboost-json1.81-dev, cmake")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
  "${PROJECT_BINARY_DIR}/packaging/debian/postinst;${PROJECT_BINARY_DIR}/packaging/debian/prerm;${PROJECT_BINARY_DIR}/packaging/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_GENERATOR "DEB;TGZ")
include(CPack)
