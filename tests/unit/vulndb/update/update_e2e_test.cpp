// `bulwark db update` end to end: a real HTTP server on 127.0.0.1 (cpp-httplib) serves OSV
// all.zip archives that the test builds, answers conditional requests like Google Cloud
// Storage (ETag, Last-Modified, x-goog-hash), and can be told to fail. Every failure must leave
// the old database byte-identical and usable. The server is stopped by its destructor, so also
// when an assertion fails.
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT  // pkg-config's cpp-httplib flags usually set it
#define CPPHTTPLIB_OPENSSL_SUPPORT  // for httplib::SSLServer
#endif
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "testdata.h"
#include "vulndb/database.h"
#include "vulndb/update/state.h"
#include "vulndb/update/updater.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bulwark::testing::readFile;
namespace vulndb = bulwark::vulndb;
namespace update = bulwark::vulndb::update;

// --- fixtures: OSV records zipped as OSV publishes them ------------------------------------

std::string osvRecord(const std::string& id, const std::string& package, const std::string& fixed,
                      const std::string& details = "test advisory") {
  const nlohmann::json doc = {
      {"schema_version", "1.6.0"},
      {"id", id},
      {"modified", "2024-05-01T00:00:00Z"},
      {"published", "2024-04-01T00:00:00Z"},
      {"summary", "demo vulnerability " + id},
      {"details", details},
      {"affected",
       {{{"package", {{"ecosystem", "PyPI"}, {"name", package}}},
         {"ranges",
          {{{"type", "ECOSYSTEM"}, {"events", {{{"introduced", "0"}}, {{"fixed", fixed}}}}}}}}}}};
  return doc.dump();
}

// A zip of `records` (id → JSON), deflated, or stored when `store` (for incompressible sizes).
std::string makeZip(const std::map<std::string, std::string>& records, bool store = false) {
  archive* writer = archive_write_new();
  archive_write_set_format_zip(writer);
  if (store) archive_write_set_options(writer, "zip:compression=store");
  archive_write_set_bytes_in_last_block(writer, 1);  // no zero padding after the archive
  std::string out;
  archive_write_open(
      writer, &out, nullptr,
      [](archive*, void* buffer, const void* data, std::size_t n) -> la_ssize_t {
        static_cast<std::string*>(buffer)->append(static_cast<const char*>(data), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  for (const auto& [id, json] : records) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, (id + ".json").c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(json.size()));
    archive_write_header(writer, entry);
    archive_write_data(writer, json.data(), json.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  return out;
}

std::string base64Md5(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
  unsigned char encoded[64] = {};
  EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return reinterpret_cast<const char*>(encoded);
}

// --- the server ------------------------------------------------------------------------------

enum class Fault { None, Status500, Truncated, WrongMd5, ShortLength, NotAZip, Slow };

struct Feed {
  std::string body;
  std::string etag;           // empty: no ETag header
  std::string last_modified;  // empty: no Last-Modified header
  bool goog_hash = true;
  Fault fault = Fault::None;
};

struct Seen {
  std::string path;
  std::string if_none_match;
  std::string if_modified_since;
  int status = 0;
};

class FeedServer {
 public:
  // Plain HTTP, or HTTPS with the given certificate and key (PEM files).
  explicit FeedServer(const std::string& cert = {}, const std::string& key = {}) {
    if (cert.empty()) {
      server_ = std::make_unique<httplib::Server>();
    } else {
      server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
      scheme_ = "https";
    }
    server_->Get(".*",
                 [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 500 && !server_->is_running(); ++i) std::this_thread::sleep_for(2ms);
  }
  ~FeedServer() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  FeedServer(const FeedServer&) = delete;
  FeedServer& operator=(const FeedServer&) = delete;

  [[nodiscard]] bool ready() const { return port_ > 0 && server_->is_running(); }
  [[nodiscard]] std::string base() const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_);
  }
  [[nodiscard]] std::string url(const std::string& path) const { return base() + path; }

  void put(const std::string& path, Feed feed) {
    const std::lock_guard lock(mutex_);
    feeds_[path] = std::move(feed);
  }
  void fault(const std::string& path, Fault fault) {
    const std::lock_guard lock(mutex_);
    feeds_[path].fault = fault;
  }
  void redirect(const std::string& from, const std::string& to) {
    const std::lock_guard lock(mutex_);
    redirects_[from] = to;
  }
  std::vector<Seen> seen() {
    const std::lock_guard lock(mutex_);
    return seen_;
  }
  void clearSeen() {
    const std::lock_guard lock(mutex_);
    seen_.clear();
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    Feed feed;
    bool found = false;
    {
      const std::lock_guard lock(mutex_);
      if (const auto it = redirects_.find(req.path); it != redirects_.end()) {
        res.set_redirect(it->second, 302);
        seen_.push_back({req.path, "", "", 302});
        return;
      }
      if (const auto it = feeds_.find(req.path); it != feeds_.end()) {
        feed = it->second;
        found = true;
      }
    }
    Seen seen{req.path, req.get_header_value("If-None-Match"),
              req.get_header_value("If-Modified-Since"), 0};
    const auto record = [&](int status) {
      seen.status = status;
      const std::lock_guard lock(mutex_);
      seen_.push_back(seen);
    };
    if (!found) {
      res.status = 404;
      return record(404);
    }
    if (feed.fault == Fault::Status500) {
      res.status = 500;
      res.set_content("backend error", "text/plain");
      return record(500);
    }
    if (feed.fault == Fault::Slow) std::this_thread::sleep_for(2500ms);
    // Conditional GET as RFC 9110 says: If-None-Match wins over If-Modified-Since.
    const bool not_modified =
        !seen.if_none_match.empty()
            ? (!feed.etag.empty() && seen.if_none_match == feed.etag)
            : (!seen.if_modified_since.empty() && seen.if_modified_since == feed.last_modified);
    if (!feed.etag.empty()) res.set_header("ETag", feed.etag);
    if (!feed.last_modified.empty()) res.set_header("Last-Modified", feed.last_modified);
    if (not_modified) {
      res.status = 304;
      return record(304);
    }
    std::string body = feed.body;
    if (feed.fault == Fault::NotAZip) body = "<html>captive portal</html>";
    // Without an MD5 for the length and content faults: the zip check must catch those.
    if (feed.goog_hash && feed.fault != Fault::ShortLength) {
      const std::string md5 = base64Md5(feed.fault == Fault::WrongMd5 ? body + "x" : body);
      res.set_header("x-goog-hash", "crc32c=AAAAAA==");
      res.set_header("x-goog-hash", "md5=" + md5);
    }
    res.status = 200;
    if (feed.fault == Fault::Truncated) {
      // Content-Length says the whole body; the connection closes after half of it.
      auto shared = std::make_shared<std::string>(body);
      res.set_content_provider(body.size(), "application/zip",
                               [shared](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                 if (offset > 0) return false;
                                 sink.write(shared->data(), shared->size() / 2);
                                 return true;
                               });
    } else if (feed.fault == Fault::ShortLength) {
      // Content-Length says half: the client gets a zip without its central directory.
      auto shared = std::make_shared<std::string>(body);
      res.set_content_provider(
          body.size() / 2, "application/zip",
          [shared](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            sink.write(shared->data() + offset, length);
            return true;
          });
    } else {
      res.set_content(body, "application/zip");
    }
    return record(200);
  }

  std::unique_ptr<httplib::Server> server_;
  std::string scheme_ = "http";
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::map<std::string, Feed> feeds_;
  std::map<std::string, std::string> redirects_;
  std::vector<Seen> seen_;
};

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-dbupdate-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Files in `dir` other than the database and its state file: leftovers of an update.
std::vector<std::string> leftovers(const fs::path& dir, const std::string& db) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string path = entry.path().string();
    if (path != db && path != update::statePathFor(db)) out.push_back(path);
  }
  return out;
}

std::string buildId(const std::string& db) {
  auto opened = vulndb::Database::open(db);
  if (!opened) return "open failed: " + opened.error().message;
  auto stats = opened->stats();
  return stats ? stats->build_id : "stats failed";
}

bool hasAdvisory(const std::string& db, const std::string& id) {
  auto opened = vulndb::Database::open(db);
  if (!opened) return false;
  auto found = opened->advisories(id);
  return found && !found->empty();
}

update::UpdateOptions optionsFor(const std::string& db, std::vector<update::FeedSpec> feeds) {
  update::UpdateOptions options;
  options.database = db;
  options.feeds = std::move(feeds);
  options.download.insecure = true;  // the test server speaks plain HTTP
  options.download.connect_timeout = 5s;
  options.download.stall_timeout = 5s;
  options.download.total_timeout = 30s;
  return options;
}

class DbUpdate : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    ASSERT_TRUE(server_.ready()) << "the test HTTP server did not start";
    v1_ = makeZip({{"PYSEC-T-1", osvRecord("PYSEC-T-1", "demo", "1.2")},
                   {"PYSEC-T-2", osvRecord("PYSEC-T-2", "other", "2.0")}});
    v2_ = makeZip({{"PYSEC-T-1", osvRecord("PYSEC-T-1", "demo", "1.2")},
                   {"PYSEC-T-2", osvRecord("PYSEC-T-2", "other", "2.0")},
                   {"PYSEC-T-3", osvRecord("PYSEC-T-3", "third", "3.0")}});
    server_.put("/osv/PyPI/all.zip",
                Feed{v1_, "\"v1\"", "Wed, 01 May 2024 00:00:00 GMT", true, Fault::None});
    db_ = dir_.file("bulwark.db");
    url_ = server_.url("/osv/PyPI/all.zip");
  }

  // The first, successful update: the baseline every failure is compared with.
  void importBaseline() {
    auto first = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(first->imported);
    ASSERT_TRUE(hasAdvisory(db_, "PYSEC-T-1"));
    baseline_ = readFile(db_);
    ASSERT_FALSE(baseline_.empty());
  }

  // The old database is byte-identical, opens, answers a lookup, and nothing was left behind.
  void expectUntouched() {
    EXPECT_EQ(readFile(db_), baseline_) << "the database file changed";
    EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-1"));
    EXPECT_FALSE(hasAdvisory(db_, "PYSEC-T-3"));
    auto opened = vulndb::Database::open(db_);
    ASSERT_TRUE(opened);
    auto affecting = opened->affecting("PyPI", "demo");
    ASSERT_TRUE(affecting);
    EXPECT_EQ(affecting->size(), 1U);
    const auto left = leftovers(dir_.path(), db_);
    EXPECT_TRUE(left.empty()) << "left behind: " << left.front();
  }

  FeedServer server_;
  TempDir dir_;
  std::string db_;
  std::string url_;
  std::string v1_;
  std::string v2_;
  std::string baseline_;
};

TEST_F(DbUpdate, FirstImportsThenNotModifiedThenChangedReimports) {
  auto first = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->feeds.size(), 1U);
  EXPECT_FALSE(first->feeds[0].not_modified);
  EXPECT_EQ(first->feeds[0].bytes, v1_.size());
  EXPECT_TRUE(first->feeds[0].md5_checked);
  EXPECT_TRUE(first->imported);
  EXPECT_EQ(first->import.inserted, 2U);
  EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-2"));
  EXPECT_TRUE(first->state_warning.empty()) << first->state_warning;

  // The feeds table records the URL, not the temporary download.
  {
    auto opened = vulndb::Database::open(db_);
    ASSERT_TRUE(opened);
    auto stats = opened->stats();
    ASSERT_TRUE(stats);
    ASSERT_EQ(stats->feeds.size(), 1U);
    EXPECT_EQ(stats->feeds[0].location, url_);
    EXPECT_EQ(stats->feeds[0].name, "osv/PyPI");
    EXPECT_EQ(stats->feeds[0].advisories, 2U);
    EXPECT_FALSE(stats->feeds[0].imported_at.empty());
  }
  auto state = update::loadUpdateState(update::statePathFor(db_));
  ASSERT_TRUE(state);
  EXPECT_EQ(state->feeds[url_].etag, "\"v1\"");
  EXPECT_EQ(state->feeds[url_].last_modified, "Wed, 01 May 2024 00:00:00 GMT");

  const std::string build = buildId(db_);
  const std::string bytes = readFile(db_);
  server_.clearSeen();
  auto second = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->feeds[0].not_modified);
  EXPECT_FALSE(second->imported);
  EXPECT_EQ(buildId(db_), build);
  EXPECT_EQ(readFile(db_), bytes);
  auto seen = server_.seen();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].if_none_match, "\"v1\"");
  EXPECT_EQ(seen[0].if_modified_since, "Wed, 01 May 2024 00:00:00 GMT");
  EXPECT_EQ(seen[0].status, 304);

  server_.put("/osv/PyPI/all.zip",
              Feed{v2_, "\"v2\"", "Thu, 02 May 2024 00:00:00 GMT", true, Fault::None});
  auto third = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_FALSE(third->feeds[0].not_modified);
  EXPECT_TRUE(third->imported);
  EXPECT_EQ(third->import.inserted, 1U);
  EXPECT_EQ(third->import.unchanged, 2U);
  EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-3"));
  EXPECT_NE(buildId(db_), build);
  EXPECT_TRUE(leftovers(dir_.path(), db_).empty());
  EXPECT_EQ(update::loadUpdateState(update::statePathFor(db_))->feeds[url_].etag, "\"v2\"");
}

TEST_F(DbUpdate, LastModifiedAloneIsEnough) {
  server_.put("/osv/PyPI/all.zip",
              Feed{v1_, "", "Wed, 01 May 2024 00:00:00 GMT", false, Fault::None});
  auto first = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->feeds[0].md5_checked);  // no x-goog-hash
  server_.clearSeen();
  auto second = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->feeds[0].not_modified);
  ASSERT_EQ(server_.seen().size(), 1U);
  EXPECT_EQ(server_.seen()[0].if_none_match, "");
  EXPECT_EQ(server_.seen()[0].if_modified_since, "Wed, 01 May 2024 00:00:00 GMT");
}

TEST_F(DbUpdate, WithoutValidatorsTheSameBytesAreNotReimported) {
  server_.put("/osv/PyPI/all.zip", Feed{v1_, "", "", false, Fault::None});
  importBaseline();
  const std::string build = buildId(db_);
  server_.clearSeen();
  auto again = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_EQ(server_.seen().size(), 1U);
  EXPECT_EQ(server_.seen()[0].status, 200);  // nothing to be conditional on
  EXPECT_TRUE(again->feeds[0].not_modified);
  EXPECT_TRUE(again->feeds[0].same_content);
  EXPECT_FALSE(again->imported);
  EXPECT_EQ(buildId(db_), build);
  EXPECT_EQ(readFile(db_), baseline_);

  server_.put("/osv/PyPI/all.zip", Feed{v2_, "", "", false, Fault::None});
  auto changed = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_FALSE(changed->feeds[0].not_modified);
  EXPECT_TRUE(changed->imported);
  EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-3"));
}

TEST_F(DbUpdate, ADeletedDatabaseIsRebuiltDespiteTheState) {
  importBaseline();
  fs::remove(db_);
  server_.clearSeen();
  auto again = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->imported);
  EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-1"));
  ASSERT_EQ(server_.seen().size(), 1U);
  EXPECT_EQ(server_.seen()[0].if_none_match, "");  // unconditional: the DB lacked the feed
}

TEST_F(DbUpdate, ACorruptStateFileOnlyCostsAFullDownload) {
  importBaseline();
  std::ofstream(update::statePathFor(db_)) << "{not json";
  auto again = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->state_warning.empty());
  EXPECT_TRUE(again->imported);
  EXPECT_EQ(again->import.unchanged, 2U);
  EXPECT_EQ(update::loadUpdateState(update::statePathFor(db_))->feeds[url_].etag, "\"v1\"");
}

TEST_F(DbUpdate, RedirectsAreFollowed) {
  server_.redirect("/moved/all.zip", "/osv/PyPI/all.zip");
  auto result = update::updateDatabase(optionsFor(db_, {{"moved", server_.url("/moved/all.zip")}}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-2"));
}

TEST_F(DbUpdate, PlainHttpNeedsInsecure) {
  auto options = optionsFor(db_, {{"osv/PyPI", url_}});
  options.download.insecure = false;
  auto result = update::updateDatabase(options);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("--insecure"), std::string::npos);
  EXPECT_FALSE(fs::exists(db_));
  EXPECT_TRUE(server_.seen().empty());
}

TEST_F(DbUpdate, HttpsVerifiesTheServerCertificate) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "openssl (the command) is needed to make a test certificate";
  }
  const std::string key = dir_.file("key.pem");
  const std::string cert = dir_.file("cert.pem");
  const std::string make_cert =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(make_cert.c_str()), 0);
  FeedServer tls(cert, key);
  ASSERT_TRUE(tls.ready());
  tls.put("/osv/PyPI/all.zip", Feed{v1_, "\"t1\"", "", true, Fault::None});
  const std::string url = tls.url("/osv/PyPI/all.zip");
  ASSERT_EQ(url.rfind("https://", 0), 0U);

  auto options = optionsFor(db_, {{"osv/PyPI", url}});
  options.download.insecure = false;
  auto refused = update::updateDatabase(options);  // a self-signed certificate
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find(url), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("certificate"), std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(fs::exists(db_));

  options.download.ca_file = cert;
  auto trusted = update::updateDatabase(options);
  ASSERT_TRUE(trusted) << trusted.error().message;
  EXPECT_TRUE(trusted->feeds[0].md5_checked);
  EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-1"));
}

struct FailureCase {
  const char* name;
  Fault fault;
  const char* expected;  // in the error message
};

class DbUpdateFailure : public DbUpdate, public ::testing::WithParamInterface<FailureCase> {};

TEST_P(DbUpdateFailure, LeavesTheOldDatabaseIntact) {
  importBaseline();
  // The feed changes, and serving it fails.
  server_.put("/osv/PyPI/all.zip",
              Feed{v2_, "\"v2\"", "Thu, 02 May 2024 00:00:00 GMT", true, GetParam().fault});
  const std::string state_before = readFile(update::statePathFor(db_));
  auto options = optionsFor(db_, {{"osv/PyPI", url_}});
  if (GetParam().fault == Fault::Slow) options.download.total_timeout = 1s;
  auto result = update::updateDatabase(options);
  ASSERT_FALSE(result) << "update of a failing feed succeeded";
  EXPECT_NE(result.error().message.find(url_), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find(GetParam().expected), std::string::npos)
      << result.error().message;
  EXPECT_EQ(result.error().message.find('\n'), std::string::npos);
  expectUntouched();
  EXPECT_EQ(readFile(update::statePathFor(db_)), state_before);

  // Once the server is healthy again the change goes in.
  server_.fault("/osv/PyPI/all.zip", Fault::None);
  auto healed = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(healed) << healed.error().message;
  EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-3"));
}

INSTANTIATE_TEST_SUITE_P(
    Faults, DbUpdateFailure,
    ::testing::Values(FailureCase{"Status500", Fault::Status500, "HTTP 500"},
                      FailureCase{"Truncated", Fault::Truncated, ""},
                      FailureCase{"WrongMd5", Fault::WrongMd5, "MD5"},
                      FailureCase{"ShortContentLength", Fault::ShortLength, "zip"},
                      FailureCase{"NotAZip", Fault::NotAZip, "zip"},
                      FailureCase{"Timeout", Fault::Slow, "timed out"}),
    [](const ::testing::TestParamInfo<FailureCase>& info) { return info.param.name; });

TEST_F(DbUpdate, OneFailingFeedOfTwoImportsNothing) {
  server_.put("/osv/npm/all.zip", Feed{v1_, "\"n1\"", "", true, Fault::None});
  const std::string npm = server_.url("/osv/npm/all.zip");
  auto first = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}, {"osv/npm", npm}}));
  ASSERT_TRUE(first) << first.error().message;
  baseline_ = readFile(db_);
  server_.put("/osv/PyPI/all.zip", Feed{v2_, "\"v2\"", "", true, Fault::None});  // good change
  server_.put("/osv/npm/all.zip", Feed{v2_, "\"n2\"", "", true, Fault::Status500});
  auto result = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}, {"osv/npm", npm}}));
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find(npm), std::string::npos) << result.error().message;
  expectUntouched();
}

// A full disk, for real: the database lives on a small tmpfs the test mounts (root only).
class TmpfsMount {
 public:
  TmpfsMount(const fs::path& where, const std::string& size) : where_(where) {
    fs::create_directories(where);
    const std::string options = "size=" + size;
    mounted_ = ::mount("tmpfs", where.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~TmpfsMount() {
    if (mounted_ && ::umount(where_.c_str()) != 0) ::umount2(where_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  [[nodiscard]] bool mounted() const { return mounted_; }

 private:
  fs::path where_;
  bool mounted_ = false;
};

std::string randomText(std::size_t n, unsigned seed) {
  std::string out;
  out.reserve(n);
  unsigned x = seed;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 1103515245U + 12345U;
    out += static_cast<char>('a' + (x >> 16) % 26);
  }
  return out;
}

TEST_F(DbUpdate, FullDiskDuringDownloadOrImportLeavesTheOldDatabase) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs (full-disk test)";
  const fs::path mount_point = dir_.path() / "small";
  TmpfsMount tmpfs(mount_point, "4m");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount tmpfs here (no CAP_SYS_ADMIN?)";
  db_ = (mount_point / "bulwark.db").string();
  importBaseline();

  // 1. The download itself does not fit: 5 MiB of incompressible text, stored.
  server_.put(
      "/osv/PyPI/all.zip",
      Feed{makeZip({{"PYSEC-T-3", osvRecord("PYSEC-T-3", "third", "3.0", randomText(5 << 20, 7))}},
                   true),
           "\"big\"", "", true, Fault::None});
  auto result = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find(url_), std::string::npos) << result.error().message;
  {
    SCOPED_TRACE("download fills the disk");
    EXPECT_EQ(readFile(db_), baseline_);
    EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-1"));
    EXPECT_TRUE(leftovers(mount_point, db_).empty());
  }

  // 2. The download fits, but by the time the import starts the disk is (almost) full: the
  //    copy of the database fits, the advisories written into it do not.
  std::map<std::string, std::string> many;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = "PYSEC-BIG-" + std::to_string(i);
    many[id] = osvRecord(id, "pkg" + std::to_string(i), "1.0");
  }
  many["PYSEC-T-3"] = osvRecord("PYSEC-T-3", "third", "3.0");
  const std::string many_zip = makeZip(many);
  ASSERT_LT(many_zip.size(), std::size_t{2} << 20) << "the fixture must fit on the small disk";
  server_.put("/osv/PyPI/all.zip", Feed{many_zip, "\"many\"", "", true, Fault::None});
  const fs::path filler = mount_point / "filler";
  update::UpdateObserver observer;
  observer.import_started = [&] {
    struct statvfs vfs {};
    ASSERT_EQ(::statvfs(mount_point.c_str(), &vfs), 0);
    const std::uint64_t free_bytes = std::uint64_t{vfs.f_bavail} * vfs.f_frsize;
    const std::uint64_t keep = baseline_.size() + 8 * 1024;
    ASSERT_GT(free_bytes, keep) << "the download left no room for the database copy";
    std::ofstream out(filler, std::ios::binary);
    const std::string block(4096, '\0');
    for (std::uint64_t n = 0; n + keep < free_bytes; n += block.size()) out << block;
  };
  result = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}), observer);
  ASSERT_TRUE(fs::exists(filler)) << "the import never started: "
                                  << (result ? std::string("ok") : result.error().message);
  fs::remove(filler);
  ASSERT_FALSE(result) << "2000 advisories fitted in 8 KiB";
  EXPECT_NE(result.error().message.find("importing into " + db_), std::string::npos)
      << result.error().message;
  {
    SCOPED_TRACE("import fills the disk");
    EXPECT_EQ(readFile(db_), baseline_);
    EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-1"));
    EXPECT_FALSE(hasAdvisory(db_, "PYSEC-T-3"));
    EXPECT_TRUE(leftovers(mount_point, db_).empty());
  }

  // 3. With room again, an update goes through.
  server_.put("/osv/PyPI/all.zip", Feed{v2_, "\"v2\"", "", true, Fault::None});
  result = update::updateDatabase(optionsFor(db_, {{"osv/PyPI", url_}}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-3"));
}

// --- the CLI --------------------------------------------------------------------------------

using bulwark::testing::runBulwark;

TEST_F(DbUpdate, CliMirrorEcosystemsAndFailures) {
  server_.put("/mirror/PyPI/all.zip", Feed{v1_, "\"p1\"", "", true, Fault::None});
  server_.put("/mirror/npm/all.zip", Feed{v2_, "\"n1\"", "", true, Fault::None});
  const std::string common = "db update --db " + db_ + " --insecure --timeout 10 --mirror " +
                             server_.url("/mirror/") + " --ecosystem pypi,npm";
  const auto first = runBulwark(common);
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_NE(first.out.find("osv/PyPI"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("downloaded " + std::to_string(v1_.size()) + " bytes (md5 ok)"),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("3 new"), std::string::npos) << first.out;
  std::vector<std::string> paths;
  for (const auto& seen : server_.seen()) paths.push_back(seen.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/mirror/PyPI/all.zip", "/mirror/npm/all.zip"}));

  const auto second = runBulwark(common);
  ASSERT_EQ(second.status, 0) << second.out;
  EXPECT_NE(second.out.find("not modified"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("unchanged; the database was not rebuilt"), std::string::npos)
      << second.out;

  const auto stats = runBulwark("db stats --format json --db " + db_);
  ASSERT_EQ(stats.status, 0) << stats.out;
  const auto doc = nlohmann::json::parse(stats.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << stats.out;
  std::vector<std::string> locations;
  for (const auto& feed : doc["feeds"]) locations.push_back(feed["location"]);
  std::sort(locations.begin(), locations.end());
  EXPECT_EQ(locations, (std::vector<std::string>{server_.url("/mirror/PyPI/all.zip"),
                                                 server_.url("/mirror/npm/all.zip")}));

  // A failing feed: exit 2, one line naming the URL, the database unchanged.
  const std::string before = readFile(db_);
  server_.put("/mirror/npm/all.zip", Feed{v2_, "\"n2\"", "", true, Fault::WrongMd5});
  const auto failed = runBulwark(common);
  EXPECT_EQ(failed.status, 2) << failed.out;
  EXPECT_NE(failed.out.find("bulwark: " + server_.url("/mirror/npm/all.zip")), std::string::npos)
      << failed.out;
  EXPECT_NE(failed.out.find("the database was not changed"), std::string::npos) << failed.out;
  EXPECT_EQ(readFile(db_), before);

  // Usage errors.
  EXPECT_EQ(runBulwark("db update --db " + db_ + " --feed http://127.0.0.1:1/x.zip").status, 2);
  EXPECT_EQ(runBulwark("db update --db " + db_ + " --feed https://e/x.zip --ecosystem npm").status,
            2);
}

TEST_F(DbUpdate, CliFeedsFile) {
  const std::string feeds_file = dir_.file("feeds.yaml");
  std::ofstream(feeds_file) << "- name: pypi-test\n  url: " << url_ << "\n";
  const auto result =
      runBulwark("db update --insecure --db " + db_ + " --feeds-file " + feeds_file);
  ASSERT_EQ(result.status, 0) << result.out;
  EXPECT_NE(result.out.find("pypi-test"), std::string::npos) << result.out;
  EXPECT_TRUE(hasAdvisory(db_, "PYSEC-T-2"));
  const auto bad =
      runBulwark("db update --insecure --db " + db_ + " --feeds-file " + dir_.file("none"));
  EXPECT_EQ(bad.status, 2) << bad.out;
}

}  // namespace
