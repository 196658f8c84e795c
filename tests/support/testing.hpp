// Convenience header: everything the black-box tests usually need.
#pragma once

#include "support/child_process.hpp"
#include "support/host_process.hpp"
#include "support/http_client.hpp"
#include "support/paths.hpp"
#include "support/sandbox_process.hpp"
#include "support/temp_dir.hpp"
