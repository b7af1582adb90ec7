#include "core/log.h"

#include <atomic>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace bulwark::core {
namespace {
std::atomic<Verbosity> g_verbosity{Verbosity::Normal};
}

void setVerbosity(Verbosity level) {
  g_verbosity = level;
  static const bool kInstalled = [] {
    auto logger = spdlog::stderr_color_mt("bulwark");
    logger->set_pattern("bulwark: %^%l%$: %v");
    spdlog::set_default_logger(logger);
    return true;
  }();
  (void)kInstalled;
  switch (level) {
    case Verbosity::Quiet: spdlog::set_level(spdlog::level::err); break;
    case Verbosity::Normal: spdlog::set_level(spdlog::level::warn); break;
    case Verbosity::Verbose: spdlog::set_level(spdlog::level::debug); break;
  }
}

Verbosity verbosity() { return g_verbosity; }

}  // namespace bulwark::core
