#include "image/registry/reference.h"

#include <gtest/gtest.h>

#include <string>

namespace bulwark::image::registry {
namespace {

const std::string kDigest =
    "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

struct Good {
  const char* text;
  const char* domain;
  const char* repository;
  const char* tag;
  std::string digest;
};

class ReferenceGood : public ::testing::TestWithParam<Good> {};

TEST_P(ReferenceGood, Parses) {
  const Good& want = GetParam();
  auto ref = Reference::parse(want.text);
  ASSERT_TRUE(ref) << want.text << ": " << ref.error().message;
  EXPECT_EQ(ref->domain, want.domain) << want.text;
  EXPECT_EQ(ref->repository, want.repository) << want.text;
  EXPECT_EQ(ref->tag, want.tag) << want.text;
  EXPECT_EQ(ref->digest, want.digest) << want.text;
  // The canonical form parses back to the same reference.
  auto again = Reference::parse(ref->str());
  ASSERT_TRUE(again) << ref->str();
  EXPECT_EQ(*again, *ref);
}

INSTANTIATE_TEST_SUITE_P(
    Docker, ReferenceGood,
    ::testing::Values(
        Good{"debian", "docker.io", "library/debian", "latest", ""},
        Good{"debian:12", "docker.io", "library/debian", "12", ""},
        Good{"library/debian:bookworm-slim", "docker.io", "library/debian", "bookworm-slim", ""},
        Good{"aquasec/trivy:0.50.1", "docker.io", "aquasec/trivy", "0.50.1", ""},
        Good{"docker.io/debian", "docker.io", "library/debian", "latest", ""},
        Good{"index.docker.io/debian", "docker.io", "library/debian", "latest", ""},
        Good{"docker.io/a/b/c", "docker.io", "a/b/c", "latest", ""},
        Good{"ghcr.io/owner/image:v1", "ghcr.io", "owner/image", "v1", ""},
        Good{"quay.io/prometheus/node-exporter", "quay.io", "prometheus/node-exporter", "latest",
             ""},
        Good{"localhost/foo", "localhost", "foo", "latest", ""},
        Good{"localhost:5000/foo/bar:tag", "localhost:5000", "foo/bar", "tag", ""},
        Good{"127.0.0.1:5000/repo", "127.0.0.1:5000", "repo", "latest", ""},
        Good{"[::1]:5000/repo:x", "[::1]:5000", "repo", "x", ""},
        Good{"Registry/repo", "Registry", "repo", "latest", ""},
        Good{"my-registry.example.com:443/a_b/c__d/e-f/g.h", "my-registry.example.com:443",
             "a_b/c__d/e-f/g.h", "latest", ""},
        Good{"foo/a---b", "docker.io", "foo/a---b", "latest", ""},
        Good{"debian@sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b",
             "docker.io", "library/debian", "", kDigest},
        Good{"h.io/r:t@sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b",
             "h.io", "r", "t", kDigest},
        Good{"debian:_Tag.1-x", "docker.io", "library/debian", "_Tag.1-x", ""}));

class ReferenceBad : public ::testing::TestWithParam<const char*> {};

TEST_P(ReferenceBad, IsRefused) {
  auto ref = Reference::parse(GetParam());
  ASSERT_FALSE(ref) << GetParam() << " parsed as " << ref->str();
  EXPECT_EQ(ref.error().code, core::ErrorCode::Usage);
  EXPECT_FALSE(ref.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Docker, ReferenceBad,
    ::testing::Values(
        "", ":tag", "debian:", "Debian", "foo/Bar", "foo//bar", "/foo", "foo/", "foo/-bar",
        "foo/bar-", "foo/bar..baz", "foo/bar___baz", "foo/.bar", "debian:-tag", "debian:.tag",
        "debian:ta g", "debian@sha256:abc",
        "debian@sha512:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d6",
        "debian@sha256:6C3C624B58DBBCD3C0DD82B4C53F04194D1247C6EEBDAAB7C610CF7D66709B3B", "debian@",
        "host:port/repo", "host:99999/repo", "-host.io/repo", "host-.io/repo", "[zz]:5000/repo",
        "[::1/repo", "ex ample.com/repo",
        "a/b@sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b@x"));

TEST(Reference, TagLengthLimit) {
  EXPECT_TRUE(Reference::parse("debian:" + std::string(128, 'a')));
  EXPECT_FALSE(Reference::parse("debian:" + std::string(129, 'a')));
}

TEST(Reference, NameLengthLimit) {
  // "docker.io/" + name ≤ 255.
  const std::string ok = "h.io/" + std::string(250, 'a');
  EXPECT_TRUE(Reference::parse(ok)) << ok.size();
  EXPECT_FALSE(Reference::parse(ok + "a"));
  EXPECT_FALSE(Reference::parse(std::string(100000, 'a')));
}

TEST(Reference, ApiHostAndStrings) {
  auto hub = Reference::parse("debian:12");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->apiHost(), "registry-1.docker.io");
  EXPECT_EQ(hub->str(), "docker.io/library/debian:12");
  EXPECT_EQ(hub->name(), "docker.io/library/debian");
  EXPECT_EQ(hub->manifestReference(), "12");

  auto pinned = Reference::parse("localhost:5000/x:1@" + kDigest);
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->apiHost(), "localhost:5000");
  EXPECT_EQ(pinned->manifestReference(), kDigest);
  EXPECT_EQ(pinned->str(), "localhost:5000/x:1@" + kDigest);
}

TEST(Reference, UpperCaseRepositoryMessage) {
  auto ref = Reference::parse("example.com/Foo");
  ASSERT_FALSE(ref);
  EXPECT_NE(ref.error().message.find("lower-case"), std::string::npos) << ref.error().message;
}

}  // namespace
}  // namespace bulwark::image::registry
