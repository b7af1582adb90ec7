// The backend-agnostic Store test suite: every backend (SQLite, PostgreSQL) must pass it.
//
// The tests (store_suite.cpp, in the static library bulwark_store_suite) are TEST_Ps over a
// factory that opens a FRESH, EMPTY, migrated store for each test. To run them against a
// backend, link `bulwark_store_suite` (it brings bulwark_store and GTest) and instantiate:
//
//   #include "unit/store/store_suite.h"
//
//   INSTANTIATE_TEST_SUITE_P(Postgres, StoreSuite,
//                            ::testing::Values(bulwark::store::testing::StoreFactory(
//                                [] { return openFreshPostgresStore(); })));
//
// (StoreSuite lives in the global namespace so the macro sees it unqualified.)
// A factory that cannot provide a store for an environmental reason (no PostgreSQL binaries)
// returns an error whose message starts with "skip: "; the test then skips visibly with that
// message instead of failing. Any other error fails the test.
//
// Where store.h leaves a choice open, the suite fixes it (both backends behave alike):
//   completeJob/failJob/releaseJob: NotFound for an unknown id, Input when the worker does not
//     hold the job (lost lease, done, dead); claim sets started_at = now on every claim; a
//     Running job whose lease expired with attempts >= max_attempts becomes Dead (last_error
//     says so) instead of being claimed again; release makes the job claimable at once.
//   listJobs newest first; countJobs returns all five states in enum order, zeros included.
//   listImages by last_pushed desc, then digest; listRepositories by name; registrySummaries
//     lists the registered registries by name (with zero counts when they have no images).
//   findings: "severity" = severity desc, then id, package, version; "id"; "package" is
//     case-insensitive; "first_seen" newest first; an unknown sort or a negative limit/offset is
//     Input; search is a case-insensitive substring (no wildcards) of id or package.
//   A finding's first_seen on its first appearance: the result's evaluated_at (else scanned_at,
//     else now) for saveResult, `at` for replaceFindings. Duplicate identities in one result:
//     the first is kept. findingChanges newest first, one save's changes in diffFindings order.
//   decisions newest first (at desc, then the later recorded first).
//   Empty registry/repository/digest in recordPush, empty digest in enqueue or saveResult and
//     an empty registry name are Input errors; Registry::created_at 0 means now.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <gtest/gtest.h>

#include "core/result.h"
#include "store/store.h"

namespace bulwark::store::testing {

using StoreFactory = std::function<core::Result<std::unique_ptr<Store>>()>;

// Unwraps a result or ends the test (gtest reports the exception with the failure above it).
template <class T>
T must(core::Result<T> result, const char* what) {
  if (!result) {
    ADD_FAILURE() << what << ": " << result.error().message;
    throw std::runtime_error(result.error().message);
  }
  if constexpr (std::is_void_v<T>) {
    return;
  } else {
    return std::move(*result);
  }
}

}  // namespace bulwark::store::testing

#define MUST(expression) ::bulwark::store::testing::must((expression), #expression)

class StoreSuite : public ::testing::TestWithParam<bulwark::store::testing::StoreFactory> {
 protected:
  void SetUp() override;

  bulwark::store::Store& store() { return *store_; }

  std::unique_ptr<bulwark::store::Store> store_;
};
