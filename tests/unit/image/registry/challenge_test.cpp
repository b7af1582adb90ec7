#include "image/registry/challenge.h"

#include <gtest/gtest.h>

#include <string>

namespace bulwark::image::registry {
namespace {

TEST(Challenge, DockerHubBearer) {
  const auto got =
      parseChallenges(R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",)"
                      R"(scope="repository:library/debian:pull")");
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].scheme, "bearer");
  EXPECT_EQ(got[0].param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(got[0].param("service"), "registry.docker.io");
  EXPECT_EQ(got[0].param("scope"), "repository:library/debian:pull");
  EXPECT_EQ(got[0].param("missing"), "");
}

TEST(Challenge, BasicRealm) {
  const auto got = parseChallenges(R"(Basic realm="Registry Realm")");
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].scheme, "basic");
  EXPECT_EQ(got[0].param("realm"), "Registry Realm");
}

TEST(Challenge, SchemeAndNamesAreCaseInsensitive) {
  const auto got = parseChallenges(R"(BEARER Realm="r", SERVICE = s)");
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].scheme, "bearer");
  EXPECT_EQ(got[0].param("realm"), "r");
  EXPECT_EQ(got[0].param("service"), "s");
}

TEST(Challenge, SeveralChallengesInOneHeader) {
  const auto got = parseChallenges(
      R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")");
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].scheme, "newauth");
  EXPECT_EQ(got[0].param("type"), "1");
  EXPECT_EQ(got[0].param("title"), R"(Login to "apps")");
  EXPECT_EQ(got[1].scheme, "basic");
  EXPECT_EQ(got[1].param("realm"), "simple");
}

TEST(Challenge, RepeatedHeadersJoinedWithComma) {
  const auto got = parseChallenges(R"(Basic realm="a", Bearer realm="b",scope="x y")");
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[1].scheme, "bearer");
  EXPECT_EQ(got[1].param("scope"), "x y");
}

TEST(Challenge, BareSchemes) {
  const auto got = parseChallenges("Negotiate, Basic");
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].scheme, "negotiate");
  EXPECT_TRUE(got[0].params.empty());
  EXPECT_EQ(got[1].scheme, "basic");
}

TEST(Challenge, Token68) {
  const auto got = parseChallenges("Negotiate abc/def+==, Basic realm=x");
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].token68, "abc/def+==");
  EXPECT_EQ(got[1].param("realm"), "x");
  const auto padded = parseChallenges("Basic YWxhZGRpbg==");
  ASSERT_EQ(padded.size(), 1U);
  EXPECT_EQ(padded[0].token68, "YWxhZGRpbg==");
  EXPECT_TRUE(padded[0].params.empty());
}

TEST(Challenge, MalformedInputNeverThrowsAndKeepsWhatItCan) {
  EXPECT_TRUE(parseChallenges("").empty());
  EXPECT_TRUE(parseChallenges(" , ,, ").empty());
  const auto unterminated = parseChallenges(R"(Bearer realm="https://x)");
  ASSERT_EQ(unterminated.size(), 1U);
  EXPECT_EQ(unterminated[0].param("realm"), "https://x");
  const auto garbage = parseChallenges(R"("quoted", Bearer realm="r" junk, service=s)");
  ASSERT_FALSE(garbage.empty());
  const auto bearer = std::find_if(garbage.begin(), garbage.end(),
                                   [](const Challenge& c) { return c.scheme == "bearer"; });
  ASSERT_NE(bearer, garbage.end());
  EXPECT_EQ(bearer->param("realm"), "r");
  EXPECT_EQ(bearer->param("service"), "s");
}

TEST(Challenge, Bounded) {
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "Basic realm=x, ";
  EXPECT_EQ(parseChallenges(many).size(), kMaxChallenges);
  std::string params = "Bearer ";
  for (int i = 0; i < 1000; ++i) params += "p" + std::to_string(i) + "=v,";
  const auto got = parseChallenges(params);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].params.size(), kMaxChallengeParams);
  EXPECT_LE(parseChallenges(std::string(1U << 20, 'a')).size(), 1U);
}

}  // namespace
}  // namespace bulwark::image::registry
