// The embedded posture catalogue, loaded once per test program; a catalogue that does not load
// fails the test that asked for it (and leaves an empty one).
#pragma once

#include <gtest/gtest.h>

#include "posture/catalogue.h"

namespace bulwark::posture {

inline const Catalogue& loadedCatalogue() {
  static const Catalogue loaded = [] {
    auto result = builtinCatalogue();
    if (!result) ADD_FAILURE() << result.error().message;
    return result ? *result : Catalogue{};
  }();
  return loaded;
}

}  // namespace bulwark::posture
