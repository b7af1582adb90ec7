// Push notification bodies: Docker Distribution's events envelope, Harbor's two payload formats
// and the generic webhook, from tests/fixtures/intake/ and from hostile variations.
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "intake_test_support.h"
#include "server/webhooks/distribution.h"
#include "server/webhooks/generic.h"
#include "server/webhooks/harbor.h"
#include "server/webhooks/json_body.h"

namespace bulwark::server::webhooks {
namespace {

using testing::intakeFixture;

constexpr std::string_view kManifest =
    "sha256:05b3abf2579a5eb66403cd78be557fd860633a1fe2103c7642030defe32c657f";
constexpr std::string_view kIndex =
    "sha256:1bc04b5291c26a46d918139138b992d2de976d6851d0893b0476b85bfbdfc6e6";
constexpr std::string_view kAmd64 =
    "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51";
constexpr std::string_view kArm64 =
    "sha256:f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265";
constexpr std::string_view kHarbor =
    "sha256:c1d64b2d4cb30f1be788cc4d246ddd9fc1fe85a3eb3a85a3de33829dfaf6ce7d";
constexpr std::string_view kGeneric =
    "sha256:3a2e8954befdbd6e7eac2f10d4301a2923cd65a5f38bf80914019b55a03f78c4";

TEST(Validators, FollowTheReferenceGrammar) {
  EXPECT_TRUE(validRepository("library/debian"));
  EXPECT_TRUE(validRepository("a/b-c/d__e.f"));
  EXPECT_FALSE(validRepository(""));
  EXPECT_FALSE(validRepository("../etc/passwd"));
  EXPECT_FALSE(validRepository("Library/debian"));
  EXPECT_FALSE(validRepository("library/debian:12"));
  EXPECT_FALSE(validRepository("library/debian@" + std::string(kManifest)));
  EXPECT_FALSE(validRepository("/library"));
  EXPECT_FALSE(validRepository("library//debian"));
  EXPECT_FALSE(validRepository(std::string(300, 'a')));

  EXPECT_TRUE(validDigest(kManifest));
  EXPECT_FALSE(validDigest("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(validDigest("sha512:" + std::string(128, 'a')));
  EXPECT_FALSE(validDigest(kManifest.substr(0, 70)));

  EXPECT_TRUE(validTag("12"));
  EXPECT_TRUE(validTag("v1.4.2_rc-1"));
  EXPECT_FALSE(validTag(".hidden"));
  EXPECT_FALSE(validTag("a/b"));
  EXPECT_FALSE(validTag("12\n"));
  EXPECT_FALSE(validTag(std::string(129, 'a')));

  EXPECT_TRUE(validHost("127.0.0.1:5000"));
  EXPECT_TRUE(validHost("registry.example.com"));
  EXPECT_TRUE(validHost("harbor-core"));
  EXPECT_TRUE(validHost("harbor-core:8080"));
  EXPECT_TRUE(validHost("[::1]:5000"));
  EXPECT_TRUE(validHost("localhost"));
  EXPECT_FALSE(validHost(""));
  EXPECT_FALSE(validHost("user@host"));
  EXPECT_FALSE(validHost("host/path"));
  EXPECT_FALSE(validHost("host:99999"));
  EXPECT_FALSE(validHost("-bad-.example"));

  EXPECT_TRUE(validRegistryName("harbor-prod"));
  EXPECT_TRUE(validRegistryName("127.0.0.1:5000"));
  EXPECT_FALSE(validRegistryName("bad name!"));
  EXPECT_FALSE(validRegistryName("-x"));
}

TEST(JsonBody, RefusesWhatIsNotABoundedObject) {
  EXPECT_EQ(parseJsonBody("[]", "x").error().code, core::ErrorCode::Input);
  EXPECT_EQ(parseJsonBody("\"text\"", "x").error().code, core::ErrorCode::Input);
  EXPECT_EQ(parseJsonBody("{", "x").error().code, core::ErrorCode::Input);
  EXPECT_EQ(parseJsonBody("", "x").error().code, core::ErrorCode::Input);
  EXPECT_TRUE(parseJsonBody("[]", "x", TopLevel::ObjectOrArray).has_value());
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  const auto too_deep = parseJsonBody("{\"a\":" + deep + "}", "x");
  ASSERT_FALSE(too_deep);
  EXPECT_EQ(too_deep.error().code, core::ErrorCode::Limit);
  // Brackets inside strings do not count.
  EXPECT_TRUE(parseJsonBody("{\"a\":\"" + deep + "\"}", "x").has_value());
  const auto too_big = parseJsonBody("{}", "x", TopLevel::Object, 1);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, core::ErrorCode::Limit);
  EXPECT_NE(too_big.error().message.find("x: "), std::string::npos);
}

TEST(Distribution, OnlyManifestPushesOfARealEnvelope) {
  const auto parsed = parseDistributionEvents(intakeFixture("distribution-push.json"), "local");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->received, 4U);
  EXPECT_EQ(parsed->ignored, 3U);  // layer blob, config blob, pull
  EXPECT_EQ(parsed->malformed, 0U);
  ASSERT_EQ(parsed->events.size(), 1U);
  const PushEvent expected{"local",
                           "library/debian",
                           std::string(kManifest),
                           "12",
                           "application/vnd.docker.distribution.manifest.v2+json",
                           "webhook:distribution",
                           "127.0.0.1:5000"};
  EXPECT_EQ(parsed->events[0], expected);
  EXPECT_TRUE(parsed->diagnostics.empty());
}

TEST(Distribution, IndexPushKeepsEveryManifestOnceAndNamesTheHost) {
  const auto parsed = parseDistributionEvents(intakeFixture("distribution-index-push.json"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->received, 6U);
  EXPECT_EQ(parsed->duplicates, 1U);  // the redelivered index event
  EXPECT_EQ(parsed->ignored, 2U);     // mount and delete
  ASSERT_EQ(parsed->events.size(), 3U);
  EXPECT_EQ(parsed->events[0].digest, kAmd64);
  EXPECT_EQ(parsed->events[0].tag, "");
  EXPECT_EQ(parsed->events[1].digest, kArm64);
  EXPECT_EQ(parsed->events[2].digest, kIndex);
  EXPECT_EQ(parsed->events[2].tag, "v1.4.2");
  EXPECT_EQ(parsed->events[2].media_type, "application/vnd.oci.image.index.v1+json");
  for (const auto& event : parsed->events) {
    EXPECT_EQ(event.registry, "registry.example.com");  // no name bound: the request host
    EXPECT_EQ(event.request_host, "registry.example.com");
    EXPECT_EQ(event.repository, "team/app");
  }
}

TEST(Distribution, ForgedEntriesAreCountedAndNeverReturned) {
  const auto parsed = parseDistributionEvents(intakeFixture("distribution-forged.json"), "local");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->received, 7U);
  EXPECT_EQ(parsed->malformed, 6U);
  ASSERT_EQ(parsed->events.size(), 1U);
  EXPECT_EQ(parsed->events[0].repository, "library/debian");
  EXPECT_EQ(parsed->events[0].tag, "12");
  ASSERT_EQ(parsed->diagnostics.size(), 6U);
  for (const auto& diagnostic : parsed->diagnostics) {
    EXPECT_EQ(diagnostic.kind, "webhook.malformed-event");
    // Values are quoted escaped: no raw newline can forge a log line.
    EXPECT_EQ(diagnostic.detail.find('\n'), std::string::npos) << diagnostic.detail;
  }
  EXPECT_EQ(parsed->diagnostics[0].where, "events[0]");
  EXPECT_NE(parsed->diagnostics[0].detail.find("invalid repository name ../../etc/passwd"),
            std::string::npos);
  EXPECT_NE(parsed->diagnostics[1].detail.find("invalid digest"), std::string::npos);
  EXPECT_NE(parsed->diagnostics[2].detail.find("invalid tag 12\\x0a"), std::string::npos)
      << parsed->diagnostics[2].detail;
}

TEST(Distribution, ABodyThatIsNotAnEnvelopeIsOneClearError) {
  for (const std::string body : {"", "null", "[]", "{\"event\": []}", "{\"events\": {}}", "<html>",
                                 "{\"events\": [] trailing"}) {
    const auto parsed = parseDistributionEvents(body, "local");
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().code, core::ErrorCode::Input) << body;
    EXPECT_EQ(parsed.error().message.rfind("distribution notification: ", 0), 0U)
        << parsed.error().message;
    EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
  }
  const auto empty = parseDistributionEvents("{\"events\": []}", "local");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->events.empty());
}

TEST(Distribution, AtMostAThousandEventsAreRead) {
  std::string body = "{\"events\": [";
  for (int i = 0; i < 1005; ++i) {
    body += fmt::format(
        "{}{{\"action\":\"push\",\"target\":{{\"mediaType\":"
        "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:{:064x}\","
        "\"repository\":\"r\"}}}}",
        i == 0 ? "" : ",", i);
  }
  body += "]}";
  const auto parsed = parseDistributionEvents(body, "local");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->received, 1005U);
  EXPECT_EQ(parsed->events.size(), kMaxEventsPerBody);
  EXPECT_EQ(parsed->dropped, 5U);
  ASSERT_EQ(parsed->diagnostics.size(), 1U);
  EXPECT_EQ(parsed->diagnostics[0].kind, "webhook.too-many-events");
}

TEST(Distribution, WithoutABoundNameTheHostMustBeValid) {
  const std::string body =
      fmt::format(R"({{"events":[{{"action":"push","target":{{"mediaType":"{}","digest":"{}",)"
                  R"("repository":"r"}},"request":{{"host":"evil host/../"}}}}]}})",
                  "application/vnd.docker.distribution.manifest.v2+json", kManifest);
  const auto parsed = parseDistributionEvents(body);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->events.empty());
  EXPECT_EQ(parsed->malformed, 1U);
  const auto bound = parseDistributionEvents(body, "local");
  ASSERT_TRUE(bound);
  ASSERT_EQ(bound->events.size(), 1U);
  EXPECT_EQ(bound->events[0].request_host, "");
}

TEST(Distribution, ContentTypes) {
  EXPECT_TRUE(isDistributionEventsMediaType("application/vnd.docker.distribution.events.v1+json"));
  EXPECT_TRUE(isDistributionEventsMediaType(
      "Application/vnd.docker.distribution.events.v1+json; charset=utf-8"));
  EXPECT_TRUE(isDistributionEventsMediaType("application/vnd.docker.distribution.events.v2+json"));
  EXPECT_FALSE(isDistributionEventsMediaType("application/json"));
  EXPECT_FALSE(isDistributionEventsMediaType(""));
}

TEST(Harbor, DefaultPayload) {
  const auto parsed = parseHarborWebhook(intakeFixture("harbor-push.json"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->events.size(), 1U);
  const PushEvent expected{
      "harbor.example.com", "test-webhook/debian", std::string(kHarbor), "latest", "",
      "webhook:harbor",     "harbor.example.com"};
  EXPECT_EQ(parsed->events[0], expected);
}

TEST(Harbor, CloudEventsPayloadPushByDigest) {
  const auto parsed = parseHarborWebhook(intakeFixture("harbor-push-cloudevents.json"), "harbor");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->events.size(), 1U);
  EXPECT_EQ(parsed->events[0].registry, "harbor");
  EXPECT_EQ(parsed->events[0].repository, "harbor/alpine");
  EXPECT_EQ(parsed->events[0].digest, kHarbor);
  EXPECT_EQ(parsed->events[0].tag, "");  // Harbor repeats the digest as the tag
  EXPECT_EQ(parsed->events[0].request_host, "harbor.example.com:8443");
}

TEST(Harbor, OtherEventTypesAreIgnored) {
  const auto parsed = parseHarborWebhook(intakeFixture("harbor-pull.json"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->events.empty());
  EXPECT_EQ(parsed->ignored, 1U);
}

TEST(Harbor, ForgedValues) {
  const auto body = [](std::string_view repo, std::string_view digest, std::string_view tag) {
    return fmt::format(
        R"({{"type":"PUSH_ARTIFACT","event_data":{{"resources":[{{"digest":"{}","tag":"{}",)"
        R"("resource_url":"h.example.com/x"}}],"repository":{{"repo_full_name":"{}"}}}}}})",
        digest, tag, repo);
  };
  EXPECT_FALSE(parseHarborWebhook(body("../x", kHarbor, "1")));
  const auto bad_digest = parseHarborWebhook(body("a/b", "sha256:1", "1"));
  ASSERT_TRUE(bad_digest);
  EXPECT_EQ(bad_digest->malformed, 1U);
  EXPECT_TRUE(bad_digest->events.empty());
  const auto bad_tag = parseHarborWebhook(body("a/b", kHarbor, "-x"));
  ASSERT_TRUE(bad_tag);
  EXPECT_EQ(bad_tag->malformed, 1U);
  const auto good = parseHarborWebhook(body("a/b", kHarbor, "1"));
  ASSERT_TRUE(good);
  ASSERT_EQ(good->events.size(), 1U);
  EXPECT_EQ(good->events[0].registry, "h.example.com");

  for (const std::string bad :
       {"{}", "[]", R"({"type":"PUSH_ARTIFACT"})", R"({"type":"PUSH_ARTIFACT","event_data":{}})",
        R"({"specversion":"1.0","type":"harbor.artifact.pushed"})"}) {
    const auto parsed = parseHarborWebhook(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, core::ErrorCode::Input);
    EXPECT_EQ(parsed.error().message.rfind("Harbor webhook: ", 0), 0U);
  }
}

TEST(Generic, SingleObject) {
  const auto parsed = parseGenericWebhook(intakeFixture("generic-single.json"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->events.size(), 1U);
  const PushEvent expected{
      "local", "library/debian", std::string(kGeneric), "12", "", "webhook:generic", ""};
  EXPECT_EQ(parsed->events[0], expected);
}

TEST(Generic, ArrayWithDuplicatesAndForgeries) {
  const auto parsed = parseGenericWebhook(intakeFixture("generic-array.json"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->received, 6U);
  EXPECT_EQ(parsed->duplicates, 1U);
  EXPECT_EQ(parsed->malformed, 2U);
  ASSERT_EQ(parsed->events.size(), 3U);
  EXPECT_EQ(parsed->events[0].tag, "12");
  EXPECT_EQ(parsed->events[1].tag, "bookworm");
  EXPECT_EQ(parsed->events[2].repository, "team/app");
  EXPECT_EQ(parsed->events[2].media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(parsed->diagnostics[0].where, "[4]");
  EXPECT_EQ(parsed->diagnostics[1].where, "[5]");
}

TEST(Generic, BoundRegistry) {
  const std::string digest(kGeneric);
  const auto unnamed =
      parseGenericWebhook(R"({"repository":"a/b","digest":")" + digest + "\"}", "local");
  ASSERT_TRUE(unnamed);
  ASSERT_EQ(unnamed->events.size(), 1U);
  EXPECT_EQ(unnamed->events[0].registry, "local");
  const auto other = parseGenericWebhook(
      R"({"registry":"prod","repository":"a/b","digest":")" + digest + "\"}", "local");
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->events.empty());
  EXPECT_EQ(other->malformed, 1U);
  const auto nameless = parseGenericWebhook(R"({"repository":"a/b","digest":")" + digest + "\"}");
  ASSERT_TRUE(nameless);
  EXPECT_EQ(nameless->malformed, 1U);
  const auto not_a_push = parseGenericWebhook(R"({"hello":"world"})");
  ASSERT_FALSE(not_a_push);
  EXPECT_EQ(not_a_push.error().code, core::ErrorCode::Input);
}

}  // namespace
}  // namespace bulwark::server::webhooks
