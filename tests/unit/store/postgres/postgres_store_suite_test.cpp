// The backend-agnostic store suite (tests/unit/store/store_suite.h) against PostgreSQL: each
// test gets an emptied database of the test binary's throwaway cluster (tests/pg_cluster.h);
// emptying the schema takes milliseconds where CREATE DATABASE takes most of a second.
#include "pg_cluster.h"
#include "store/postgres_store.h"
#include "unit/store/store_suite.h"

namespace {

bulwark::core::Result<std::unique_ptr<bulwark::store::Store>> openFreshPostgresStore() {
  bulwark::testing::PgCluster& cluster = bulwark::testing::PgCluster::shared();
  if (!cluster.error().empty()) {
    // "skip: …" when PostgreSQL is not installed: the suite skips visibly.
    return bulwark::core::fail(bulwark::core::ErrorCode::Io, cluster.error());
  }
  auto url = cluster.emptyDatabase("suite");
  if (!url) return tl::unexpected(url.error());
  return bulwark::store::openPostgresStore(*url);
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Postgres, StoreSuite,
                         ::testing::Values(bulwark::store::testing::StoreFactory([] {
                           return openFreshPostgresStore();
                         })));
