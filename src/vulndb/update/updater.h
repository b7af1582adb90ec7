// `bulwark db update`: download every configured feed (conditionally, see state.h), verify
// each download (download.h), then import all the changed ones in one importFeedSources call,
// which builds the new database beside the old one and renames it over it. Any failed feed
// means nothing is imported and the old database stays as it was; so does a full disk.
// The whole update holds the database's writers' lock (vulndb/db_lock.h), so two updates (or an
// update and a `db import`) on one database run one after the other.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "vulndb/db_lock.h"
#include "vulndb/importer.h"
#include "vulndb/update/download.h"
#include "vulndb/update/feed_list.h"

namespace bulwark::vulndb::update {

struct UpdateOptions {
  std::string database;         // the database file (created when absent)
  std::vector<FeedSpec> feeds;  // at least one
  DownloadOptions download;
  // How long to wait for another writer of the same database before failing (ErrorCode::Limit).
  std::chrono::milliseconds lock_timeout = kDefaultLockTimeout;
};

struct FeedOutcome {
  FeedSpec feed;
  bool not_modified = false;  // 304, or the same bytes as last time: not re-imported
  bool same_content = false;  // not_modified because a 200 body equalled the last import
  std::uint64_t bytes = 0;    // downloaded
  bool md5_checked = false;
};

struct UpdateReport {
  std::vector<FeedOutcome> feeds;  // in the order given
  bool imported = false;           // false: every feed was unchanged, the database untouched
  ImportReport import;             // when imported; diagnostics name the feed URLs
  std::string state_warning;       // the state file could not be read or written (not fatal)
};

struct UpdateObserver {
  std::function<void(const std::string& lock_path)> lock_waiting;  // another writer holds it
  std::function<void(const FeedSpec&)> feed_started;
  DownloadProgress download_progress;  // bytes of the current feed
  std::function<void(const FeedOutcome&)> feed_done;
  std::function<void()> import_started;
  std::function<void(std::uint64_t)> import_progress;  // running advisory count
};

// Errors name the feed URL (download, verification), the database (import) or its lock file
// (another writer held it past options.lock_timeout); in every case the database file is as it
// was before the call.
core::Result<UpdateReport> updateDatabase(const UpdateOptions& options,
                                          const UpdateObserver& observer = {});

}  // namespace bulwark::vulndb::update
