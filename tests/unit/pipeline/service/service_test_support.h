// Helpers shared by the service tests: temporary directories, a small vulnerability database
// imported from tests/fixtures/advisories, and field-by-field inventory comparison.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/finding.h"
#include "vulndb/database.h"
#include "vulndb/importer.h"

namespace bulwark::pipeline::service::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "bulwark-service-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Imports feed files or directories into a new database at `path` and opens it.
inline vulndb::Database importDatabase(const std::string& path,
                                       const std::vector<std::string>& feeds) {
  auto report = vulndb::importFeeds(path, feeds);
  EXPECT_TRUE(report) << report.error().message;
  auto db = vulndb::Database::open(path);
  EXPECT_TRUE(db) << db.error().message;
  return std::move(*db);
}

inline void expectSamePackage(const model::Package& a, const model::Package& b, bool files,
                              const std::string& where) {
  SCOPED_TRACE(where + " " + a.name);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.release, b.release);
  EXPECT_EQ(a.arch, b.arch);
  EXPECT_EQ(a.source_name, b.source_name);
  EXPECT_EQ(a.source_version, b.source_version);
  EXPECT_EQ(a.licenses, b.licenses);
  EXPECT_EQ(a.maintainer, b.maintainer);
  EXPECT_EQ(a.vendor, b.vendor);
  EXPECT_EQ(a.modularity_label, b.modularity_label);
  EXPECT_EQ(a.origin, b.origin);
  EXPECT_EQ(a.depends, b.depends);
  if (files) {
    EXPECT_EQ(a.files, b.files);
  }
  EXPECT_EQ(a.development, b.development);
  EXPECT_EQ(a.relationship, b.relationship);
  EXPECT_EQ(a.location, b.location);
}

inline void expectSameInventory(const model::Inventory& a, const model::Inventory& b, bool files,
                                const std::string& where) {
  SCOPED_TRACE(where);
  const auto& t = a.target;
  const auto& u = b.target;
  EXPECT_EQ(t.name, u.name);
  EXPECT_EQ(t.kind, u.kind);
  EXPECT_EQ(t.manifest_digest, u.manifest_digest);
  EXPECT_EQ(t.config_digest, u.config_digest);
  EXPECT_EQ(t.created, u.created);
  EXPECT_EQ(t.os, u.os);
  EXPECT_EQ(t.architecture, u.architecture);
  EXPECT_EQ(t.repo_tags, u.repo_tags);
  EXPECT_EQ(t.repo_digests, u.repo_digests);
  ASSERT_EQ(t.layers.size(), u.layers.size());
  for (std::size_t i = 0; i < t.layers.size(); ++i) {
    EXPECT_EQ(t.layers[i].digest, u.layers[i].digest);
    EXPECT_EQ(t.layers[i].diff_id, u.layers[i].diff_id);
    EXPECT_EQ(t.layers[i].size, u.layers[i].size);
    EXPECT_EQ(t.layers[i].media_type, u.layers[i].media_type);
    EXPECT_EQ(t.layers[i].created_by, u.layers[i].created_by);
  }
  const auto& c = t.config;
  const auto& d = u.config;
  EXPECT_EQ(c.present, d.present);
  EXPECT_EQ(c.user, d.user);
  EXPECT_EQ(c.env, d.env);
  EXPECT_EQ(c.labels, d.labels);
  EXPECT_EQ(c.exposed_ports, d.exposed_ports);
  EXPECT_EQ(c.entrypoint, d.entrypoint);
  EXPECT_EQ(c.cmd, d.cmd);
  EXPECT_EQ(c.working_dir, d.working_dir);
  EXPECT_EQ(c.has_healthcheck, d.has_healthcheck);
  EXPECT_EQ(c.healthcheck_test, d.healthcheck_test);
  ASSERT_EQ(c.history.size(), d.history.size());
  for (std::size_t i = 0; i < c.history.size(); ++i) {
    EXPECT_EQ(c.history[i].created, d.history[i].created);
    EXPECT_EQ(c.history[i].created_by, d.history[i].created_by);
    EXPECT_EQ(c.history[i].comment, d.history[i].comment);
    EXPECT_EQ(c.history[i].empty_layer, d.history[i].empty_layer);
  }
  EXPECT_EQ(a.distro.id, b.distro.id);
  EXPECT_EQ(a.distro.version_id, b.distro.version_id);
  EXPECT_EQ(a.distro.codename, b.distro.codename);
  EXPECT_EQ(a.distro.pretty_name, b.distro.pretty_name);
  EXPECT_EQ(a.distro.id_like, b.distro.id_like);
  EXPECT_EQ(a.distro.source, b.distro.source);
  ASSERT_EQ(a.packages.size(), b.packages.size());
  for (std::size_t i = 0; i < a.packages.size(); ++i) {
    expectSamePackage(a.packages[i], b.packages[i], files, where);
  }
  EXPECT_EQ(a.diagnostics, b.diagnostics);
}

}  // namespace bulwark::pipeline::service::testing
