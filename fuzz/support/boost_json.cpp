// Boost.JSON compiled into the fuzz build from source, so the fuzzer sees (and sanitizes) its parser.
#include <boost/json/src.hpp>
