// RegistryClient's listing, probing and writing methods against an in-process fake registry
// (cpp-httplib on a loopback port) that keeps blobs and manifests in memory, paginates with
// Link headers and records what it was sent. tests/e2e/registry_ops runs the same methods
// against Debian's real docker-registry.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "image/registry/client.h"

namespace bulwark::image::registry {
namespace {

using namespace std::chrono_literals;

std::string digestOf(const std::string& bytes) { return "sha256:" + core::sha256Hex(bytes); }

std::string randomBytes(std::size_t size, unsigned seed = 7) {
  std::mt19937_64 random(seed);
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(random());
  return out;
}

image::Descriptor blobDescriptor(const std::string& bytes) {
  image::Descriptor d;
  d.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  d.digest = digestOf(bytes);
  d.size = static_cast<std::int64_t>(bytes.size());
  return d;
}

RegistryOptions plainHttp() {
  RegistryOptions options;
  options.insecure = true;
  options.use_docker_config = false;
  options.connect_timeout = 5s;
  options.stall_timeout = 10s;
  return options;
}

// A small in-memory registry: enough of the distribution API for the client's write side.
class FakeRegistry {
 public:
  httplib::Server server;
  int port = 0;
  std::mutex mutex;
  std::map<std::string, std::map<std::string, std::string>> blobs;  // repo → digest → bytes
  std::map<std::string, std::string> manifests;                     // "repo@ref" → bytes
  std::map<std::string, std::string> manifest_types;
  std::map<std::string, std::string> uploads;  // session id → bytes so far
  std::vector<std::string> log;                // "METHOD path [Content-Range]"
  bool support_mount = true;
  std::string forced_put_digest;  // a lying Docker-Content-Digest on manifest PUT
  std::string basic;              // required "Authorization" value, "" = anonymous
  std::vector<std::string> repositories;
  std::map<std::string, std::vector<std::string>> tags;
  std::string link_override;          // a Link header to send on the first catalog page
  bool omit_manifest_digest = false;  // no Docker-Content-Digest on manifest GET/HEAD
  int session_counter = 0;

  FakeRegistry() {
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      const std::lock_guard lock(mutex);
      std::string entry = req.method + " " + req.path;
      if (req.has_header("Content-Range")) entry += " " + req.get_header_value("Content-Range");
      log.push_back(entry);
      if (!basic.empty() && req.get_header_value("Authorization") != basic) {
        res.status = 401;
        res.set_header("WWW-Authenticate", R"(Basic realm="fake")");
        res.set_content(
            R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
            "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server.Get("/v2/_catalog", [this](const httplib::Request& req, httplib::Response& res) {
      const std::lock_guard lock(mutex);
      page(req, res, repositories, "/v2/_catalog", "repositories");
    });
    server.Get(R"(/v2/(.+)/tags/list)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 const std::lock_guard lock(mutex);
                 const std::string repo = req.matches[1];
                 if (tags.count(repo) == 0) {
                   res.status = 404;
                   res.set_content(R"({"errors":[{"code":"NAME_UNKNOWN",)"
                                   R"("message":"repository name not known to registry"}]})",
                                   "application/json");
                   return;
                 }
                 page(req, res, tags[repo], "/v2/" + repo + "/tags/list", "tags");
               });
    server.Get(R"(/v2/(.+)/blobs/(sha256:[0-9a-f]{64}))",
               [this](const httplib::Request& req, httplib::Response& res) {
                 const std::lock_guard lock(mutex);
                 const auto* blob = findBlob(req.matches[1], req.matches[2]);
                 if (blob == nullptr) {
                   res.status = 404;
                   return;
                 }
                 res.set_content(*blob, "application/octet-stream");
               });
    server.Post(
        R"(/v2/(.+)/blobs/uploads/)", [this](const httplib::Request& req, httplib::Response& res) {
          const std::lock_guard lock(mutex);
          const std::string repo = req.matches[1];
          if (req.has_param("mount") && support_mount) {
            const auto* blob = findBlob(req.get_param_value("from"), req.get_param_value("mount"));
            if (blob != nullptr) {
              blobs[repo][req.get_param_value("mount")] = *blob;
              res.status = 201;
              res.set_header("Docker-Content-Digest", req.get_param_value("mount"));
              return;
            }
          }
          const std::string id = "s" + std::to_string(++session_counter);
          uploads[id] = "";
          res.status = 202;
          // Absolute, as distribution answers, with state in the query.
          res.set_header("Location", "http://127.0.0.1:" + std::to_string(port) + "/v2/" + repo +
                                         "/blobs/uploads/" + id + "?_state=x");
        });
    server.Patch(R"(/v2/(.+)/blobs/uploads/(\w+))",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   const std::lock_guard lock(mutex);
                   auto it = uploads.find(req.matches[2]);
                   if (it == uploads.end()) {
                     res.status = 404;
                     return;
                   }
                   it->second += req.body;
                   res.status = 202;
                   res.set_header("Location", "/v2/" + std::string(req.matches[1]) +
                                                  "/blobs/uploads/" + it->first + "?_state=y");
                 });
    server.Put(R"(/v2/(.+)/blobs/uploads/(\w+))", [this](const httplib::Request& req,
                                                         httplib::Response& res) {
      const std::lock_guard lock(mutex);
      auto it = uploads.find(req.matches[2]);
      if (it == uploads.end()) {
        res.status = 404;
        return;
      }
      const std::string bytes = it->second + req.body;
      uploads.erase(it);
      const std::string digest = req.get_param_value("digest");
      if (digestOf(bytes) != digest) {
        res.status = 400;
        res.set_content(R"({"errors":[{"code":"DIGEST_INVALID",)"
                        R"("message":"provided digest did not match uploaded content"}]})",
                        "application/json");
        return;
      }
      blobs[req.matches[1]][digest] = bytes;
      res.status = 201;
      res.set_header("Docker-Content-Digest", digest);
    });
    server.Delete(R"(/v2/(.+)/blobs/uploads/(\w+))",
                  [this](const httplib::Request& req, httplib::Response& res) {
                    const std::lock_guard lock(mutex);
                    uploads.erase(req.matches[2]);
                    res.status = 204;
                  });
    server.Put(
        R"(/v2/(.+)/manifests/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
          const std::lock_guard lock(mutex);
          const std::string key = std::string(req.matches[1]) + "@" + std::string(req.matches[2]);
          manifests[key] = req.body;
          manifest_types[key] = req.get_header_value("Content-Type");
          res.status = 201;
          res.set_header("Docker-Content-Digest",
                         forced_put_digest.empty() ? digestOf(req.body) : forced_put_digest);
        });
    server.Get(R"(/v2/(.+)/manifests/(.+))", [this](const httplib::Request& req,
                                                    httplib::Response& res) {
      const std::lock_guard lock(mutex);
      const std::string key = std::string(req.matches[1]) + "@" + std::string(req.matches[2]);
      const auto it = manifests.find(key);
      if (it == manifests.end()) {
        res.status = 404;
        res.set_content(R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})",
                        "application/json");
        return;
      }
      if (!omit_manifest_digest) res.set_header("Docker-Content-Digest", digestOf(it->second));
      res.set_content(it->second, manifest_types[key]);
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server.listen_after_bind(); });
    for (int i = 0; i < 500 && !server.is_running(); ++i) std::this_thread::sleep_for(2ms);
  }
  ~FakeRegistry() {
    server.stop();
    if (thread_.joinable()) thread_.join();
  }
  FakeRegistry(const FakeRegistry&) = delete;
  FakeRegistry& operator=(const FakeRegistry&) = delete;

  [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(port); }
  std::vector<std::string> takeLog() {
    const std::lock_guard lock(mutex);
    return std::exchange(log, {});
  }

 private:
  const std::string* findBlob(const std::string& repo, const std::string& digest) {
    const auto r = blobs.find(repo);
    if (r == blobs.end()) return nullptr;
    const auto b = r->second.find(digest);
    return b == r->second.end() ? nullptr : &b->second;
  }

  // `n` and `last` pagination, with a Link to the next page as distribution sends it.
  void page(const httplib::Request& req, httplib::Response& res,
            const std::vector<std::string>& all, const std::string& path, const char* key) {
    std::size_t n = all.size();
    if (req.has_param("n")) n = std::stoul(req.get_param_value("n"));
    std::size_t start = 0;
    if (req.has_param("last")) {
      const std::string last = req.get_param_value("last");
      while (start < all.size() && all[start] != last) ++start;
      ++start;
    }
    std::string list;
    std::size_t i = start;
    for (; i < all.size() && i < start + n; ++i) {
      list += (list.empty() ? "\"" : ",\"") + all[i] + "\"";
    }
    if (!link_override.empty() && start == 0) {
      res.set_header("Link", link_override);
    } else if (i < all.size()) {
      res.set_header("Link", "<" + path + "?last=" + all[i - 1] + "&n=" + std::to_string(n) +
                                 ">; rel=\"next\"");
    }
    res.set_content(std::string("{\"") + key + "\":[" + list + "]}", "application/json");
  }

  std::thread thread_;
};

class StringStream final : public image::ByteStream {
 public:
  explicit StringStream(std::string bytes) : bytes_(std::move(bytes)) {}
  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    const std::size_t n = std::min(size, bytes_.size() - pos_);
    std::memcpy(buffer, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------

TEST(ParseNextLink, Forms) {
  EXPECT_EQ(parseNextLink(R"(</v2/_catalog?last=b&n=2>; rel="next")"), "/v2/_catalog?last=b&n=2");
  EXPECT_EQ(parseNextLink(R"(</v2/x/tags/list?n=1&last=a>;rel=next)"),
            "/v2/x/tags/list?n=1&last=a");
  EXPECT_EQ(parseNextLink(R"(<https://r.example/v2/_catalog?last=c>; rel="next")"),
            "https://r.example/v2/_catalog?last=c");
  // Several links, several rel values, other parameters, any case.
  EXPECT_EQ(parseNextLink(R"(</first>; rel="first", </second>; title="a, b"; REL="last Next")"),
            "/second");
  EXPECT_EQ(parseNextLink(R"(</prev>; rel="prev", </nxt>; rel="next")"), "/nxt");
  EXPECT_EQ(parseNextLink(""), std::nullopt);
  EXPECT_EQ(parseNextLink(R"(</v2/_catalog?last=b>; rel="prev")"), std::nullopt);
  EXPECT_EQ(parseNextLink(R"(</v2/_catalog?last=b; rel="next")"), std::nullopt);  // unclosed
  EXPECT_EQ(parseNextLink(R"(rel="next")"), std::nullopt);
  EXPECT_EQ(parseNextLink(std::string(100000, '<')), std::nullopt);
}

TEST(RegistryNames, RepositoryAndTagRules) {
  EXPECT_TRUE(checkRepositoryName("library/debian"));
  EXPECT_TRUE(checkRepositoryName("quarantine/team/app-1"));
  EXPECT_TRUE(checkRepositoryName("a"));
  EXPECT_FALSE(checkRepositoryName(""));
  EXPECT_FALSE(checkRepositoryName("Upper/case"));
  EXPECT_FALSE(checkRepositoryName("a/../b"));
  EXPECT_FALSE(checkRepositoryName("a//b"));
  EXPECT_FALSE(checkRepositoryName("a:tag"));
  EXPECT_FALSE(checkRepositoryName("a?x=1"));
  EXPECT_FALSE(checkRepositoryName(std::string(256, 'a')));
  EXPECT_TRUE(checkTagName("v1.2.3_rc-1"));
  EXPECT_TRUE(checkTagName(std::string(128, 'a')));
  EXPECT_FALSE(checkTagName(std::string(129, 'a')));
  EXPECT_FALSE(checkTagName(".hidden"));
  EXPECT_FALSE(checkTagName("a/b"));
  EXPECT_FALSE(checkTagName(""));
}

TEST(RegistryListing, CatalogAndTagsFollowLinks) {
  FakeRegistry registry;
  registry.repositories = {"a/one", "b/two", "c/three", "d/four", "e/five"};
  registry.tags["a/one"] = {"1", "2", "3"};
  auto client = RegistryClient::create(registry.host(), plainHttp());
  ASSERT_TRUE(client);
  ListLimits limits;
  limits.page_size = 2;
  auto catalog = (*client)->listCatalog(limits);
  ASSERT_TRUE(catalog) << catalog.error().message;
  EXPECT_EQ(catalog->names, registry.repositories);
  EXPECT_FALSE(catalog->truncated);
  const auto log = registry.takeLog();
  ASSERT_EQ(log.size(), 3U);  // 2 + 2 + 1
  EXPECT_EQ(log[0], "GET /v2/_catalog");

  auto tags = (*client)->listTags("a/one", limits);
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(tags->names, (std::vector<std::string>{"1", "2", "3"}));

  auto missing = (*client)->listTags("z/none");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
  EXPECT_NE(missing.error().message.find("NAME_UNKNOWN"), std::string::npos);
  EXPECT_FALSE((*client)->listTags("../etc"));

  // Bounds: entries and pages.
  limits.max_entries = 3;
  auto capped = (*client)->listCatalog(limits);
  ASSERT_TRUE(capped);
  EXPECT_TRUE(capped->truncated);
  EXPECT_EQ(capped->names.size(), 3U);
  limits.max_entries = 100;
  limits.max_pages = 1;
  auto one_page = (*client)->listCatalog(limits);
  ASSERT_TRUE(one_page);
  EXPECT_TRUE(one_page->truncated);
  EXPECT_EQ(one_page->names.size(), 2U);
}

TEST(RegistryListing, InvalidNamesAndHostileLinks) {
  FakeRegistry registry;
  registry.repositories = {"ok/one", "Bad/Upper", "../escape", "ok/two"};
  auto client = RegistryClient::create(registry.host(), plainHttp());
  ASSERT_TRUE(client);
  auto catalog = (*client)->listCatalog();
  ASSERT_TRUE(catalog) << catalog.error().message;
  EXPECT_EQ(catalog->names, (std::vector<std::string>{"ok/one", "ok/two"}));
  EXPECT_EQ(catalog->rejected, 2U);

  registry.link_override = R"(<http://evil.example/v2/_catalog?last=x>; rel="next")";
  auto elsewhere = (*client)->listCatalog();
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().code, core::ErrorCode::Input);
  EXPECT_NE(elsewhere.error().message.find("outside the registry"), std::string::npos);

  registry.link_override = R"(</v2/secret/blobs/x>; rel="next")";
  auto off_path = (*client)->listCatalog();
  ASSERT_FALSE(off_path);
  EXPECT_EQ(off_path.error().code, core::ErrorCode::Input);

  // A next link to the page itself would loop forever.
  registry.link_override = R"(</v2/_catalog?n=1000>; rel="next")";
  auto loop = (*client)->listCatalog();
  ASSERT_FALSE(loop);

  // The same host spelled as an absolute URL is followed.
  registry.repositories = {"a", "b", "c"};
  registry.link_override = "<http://" + registry.host() + "/v2/_catalog?last=a&n=1>; rel=\"next\"";
  ListLimits limits;
  limits.page_size = 1;
  auto absolute = (*client)->listCatalog(limits);
  ASSERT_TRUE(absolute) << absolute.error().message;
  EXPECT_EQ(absolute->names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(RegistryWrite, UploadMonolithicAndChunkedThenHeadAndPutManifest) {
  FakeRegistry registry;
  auto client = RegistryClient::create(registry.host(), plainHttp());
  ASSERT_TRUE(client);
  const std::string blob = randomBytes(3'000'000);
  const auto descriptor = blobDescriptor(blob);

  auto absent = (*client)->blobExists("team/app", descriptor.digest);
  ASSERT_TRUE(absent) << absent.error().message;
  EXPECT_FALSE(*absent);

  StringStream whole(blob);
  ASSERT_TRUE((*client)->uploadBlob("team/app", descriptor, whole));
  auto present = (*client)->blobExists("team/app", descriptor.digest);
  ASSERT_TRUE(present && *present);
  EXPECT_EQ(registry.blobs["team/app"][descriptor.digest], blob);
  registry.takeLog();

  StringStream chunks(blob);
  UploadOptions chunked;
  chunked.chunk_bytes = 1'000'000;
  ASSERT_TRUE((*client)->uploadBlob("team/other", descriptor, chunks, chunked));
  EXPECT_EQ(registry.blobs["team/other"][descriptor.digest], blob);
  const auto log = registry.takeLog();
  ASSERT_EQ(log.size(), 5U);
  EXPECT_EQ(log[0], "POST /v2/team/other/blobs/uploads/");
  EXPECT_EQ(log[1], "PATCH /v2/team/other/blobs/uploads/s2 0-999999");
  EXPECT_EQ(log[2], "PATCH /v2/team/other/blobs/uploads/s2 1000000-1999999");
  EXPECT_EQ(log[3], "PATCH /v2/team/other/blobs/uploads/s2 2000000-2999999");
  EXPECT_EQ(log[4], "PUT /v2/team/other/blobs/uploads/s2");

  // A source shorter or longer than the descriptor says aborts the upload.
  StringStream short_source(blob.substr(0, 1000));
  auto too_short = (*client)->uploadBlob("team/short", descriptor, short_source);
  ASSERT_FALSE(too_short);
  EXPECT_EQ(too_short.error().code, core::ErrorCode::Integrity) << too_short.error().message;
  StringStream long_source(blob + "x");
  auto too_long = (*client)->uploadBlob("team/long", descriptor, long_source);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, core::ErrorCode::Integrity) << too_long.error().message;
  EXPECT_EQ(registry.blobs.count("team/short") + registry.blobs.count("team/long"), 0U);

  // The registry's own digest check fails a wrong digest with its message.
  image::Descriptor lying = descriptor;
  lying.digest = digestOf("something else");
  StringStream wrong(blob);
  auto refused = (*client)->uploadBlob("team/app", lying, wrong);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("DIGEST_INVALID"), std::string::npos)
      << refused.error().message;

  const std::string manifest = R"({"schemaVersion":2,"mediaType":")" +
                               std::string(media::kOciManifest) + R"(","layers":[]})";
  auto put = (*client)->putManifest("team/app", "v1", manifest, media::kOciManifest);
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(*put, digestOf(manifest));
  EXPECT_EQ(registry.manifests["team/app@v1"], manifest);
  EXPECT_EQ(registry.manifest_types["team/app@v1"], media::kOciManifest);
  auto head = (*client)->headManifest("team/app", "v1");
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->digest, digestOf(manifest));
  EXPECT_EQ(head->media_type, media::kOciManifest);
  EXPECT_EQ(head->size, static_cast<std::int64_t>(manifest.size()));
  // Without Docker-Content-Digest the client reads the manifest and hashes it.
  registry.omit_manifest_digest = true;
  registry.takeLog();
  auto hashed = (*client)->headManifest("team/app", "v1");
  ASSERT_TRUE(hashed) << hashed.error().message;
  EXPECT_EQ(hashed->digest, digestOf(manifest));
  EXPECT_EQ(hashed->size, static_cast<std::int64_t>(manifest.size()));
  EXPECT_EQ(registry.takeLog(), (std::vector<std::string>{"HEAD /v2/team/app/manifests/v1",
                                                          "GET /v2/team/app/manifests/v1"}));
  registry.omit_manifest_digest = false;
  auto unknown = (*client)->headManifest("team/app", "v2");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::NotFound);

  // By digest: the reference must be the bytes' digest.
  EXPECT_TRUE(
      (*client)->putManifest("team/app", digestOf(manifest), manifest, media::kOciManifest));
  auto mismatch = (*client)->putManifest("team/app", digestOf("x"), manifest, media::kOciManifest);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, core::ErrorCode::Input);
  // A registry that claims another digest is caught.
  registry.forced_put_digest = digestOf("other");
  auto lied = (*client)->putManifest("team/app", "v3", manifest, media::kOciManifest);
  ASSERT_FALSE(lied);
  EXPECT_EQ(lied.error().code, core::ErrorCode::Integrity);
}

TEST(RegistryWrite, MountOrFallBack) {
  FakeRegistry registry;
  const std::string blob = randomBytes(10000);
  const auto descriptor = blobDescriptor(blob);
  registry.blobs["quarantine/app"][descriptor.digest] = blob;
  auto client = RegistryClient::create(registry.host(), plainHttp());
  ASSERT_TRUE(client);
  auto mounted = (*client)->mountBlob("release/app", descriptor.digest, "quarantine/app");
  ASSERT_TRUE(mounted) << mounted.error().message;
  EXPECT_TRUE(*mounted);
  EXPECT_EQ(registry.blobs["release/app"][descriptor.digest], blob);

  registry.support_mount = false;
  registry.takeLog();
  auto not_mounted = (*client)->mountBlob("release/two", descriptor.digest, "quarantine/app");
  ASSERT_TRUE(not_mounted) << not_mounted.error().message;
  EXPECT_FALSE(*not_mounted);
  const auto log = registry.takeLog();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[1], "DELETE /v2/release/two/blobs/uploads/s1");  // the session is cancelled
  EXPECT_TRUE(registry.uploads.empty());

  // Copy through a verified stream from openBlob.
  auto source = (*client)->openBlob("quarantine/app", descriptor);
  ASSERT_TRUE(source);
  ASSERT_TRUE((*client)->uploadBlob("release/two", descriptor, **source));
  EXPECT_EQ(registry.blobs["release/two"][descriptor.digest], blob);

  // A corrupt source blob: the stream's digest check aborts the upload before it completes.
  std::string corrupt = blob;
  corrupt[5000] ^= 1;
  registry.blobs["quarantine/bad"][descriptor.digest] = corrupt;
  auto bad = (*client)->openBlob("quarantine/bad", descriptor);
  ASSERT_TRUE(bad);
  auto failed = (*client)->uploadBlob("release/three", descriptor, **bad);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, core::ErrorCode::Integrity) << failed.error().message;
  EXPECT_EQ(registry.blobs.count("release/three"), 0U);
}

TEST(RegistryWrite, BasicAuthIsEstablishedBeforeTheStreamedBody) {
  FakeRegistry registry;
  registry.basic = "Basic YWxpY2U6c2VjcmV0";  // alice:secret
  RegistryOptions options = plainHttp();
  options.credentials = Credentials{"alice", "secret", ""};
  auto client = RegistryClient::create(registry.host(), options);
  ASSERT_TRUE(client);
  const std::string blob = randomBytes(200000);
  StringStream source(blob);
  ASSERT_TRUE((*client)->uploadBlob("team/app", blobDescriptor(blob), source));
  const auto log = registry.takeLog();
  ASSERT_EQ(log.size(), 3U);  // POST (401), POST again with Basic, PUT with the body
  EXPECT_EQ(log[0], log[1]);

  options.credentials = Credentials{"alice", "wrong", ""};
  auto wrong = RegistryClient::create(registry.host(), options);
  StringStream again(blob);
  auto refused = (*wrong)->uploadBlob("team/app", blobDescriptor(blob), again);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Auth);
}

}  // namespace
}  // namespace bulwark::image::registry
