// Logging for humans goes to stderr through spdlog; --quiet and --verbose set the level.
#pragma once

#include <spdlog/spdlog.h>

namespace bulwark::core {

enum class Verbosity { Quiet, Normal, Verbose };

void setVerbosity(Verbosity verbosity);
Verbosity verbosity();

}  // namespace bulwark::core
