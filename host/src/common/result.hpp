// The host reuses the SDK's error model internally: a plugin's error document and a host failure are the
// same kind of value, so they flow to the job store and the admin API without translation.
#pragma once

#include <appconnect/error.hpp>

namespace appconnect {
using sdk::Error;
template <class T>
using Result = sdk::Result<T>;
namespace error_code = sdk::error_code;

using sdk::Done; // Result<Done>: an operation that yields nothing but may fail
inline constexpr Done kDone{};
} // namespace appconnect
