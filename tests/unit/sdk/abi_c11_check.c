/* Compiled as strict C11 by tests/CMakeLists.txt: abi.h must stay plain C for plugins in any language. */
#include <appconnect/abi.h>

static appconnect_status check_invoke(const appconnect_call* call, appconnect_sink* sink) {
  (void)call;
  (void)sink;
  return APPCONNECT_STATUS_UNSUPPORTED;
}

int appconnect_abi_c11_check(void);
int appconnect_abi_c11_check(void) {
  appconnect_plugin table = {
      sizeof(appconnect_plugin), APPCONNECT_ABI_MAJOR, APPCONNECT_ABI_MINOR, "{}", check_invoke, 0};
  return table.invoke(0, 0) == APPCONNECT_STATUS_UNSUPPORTED ? 0 : 1;
}
