// Admission reviews: real AdmissionReview v1 documents (tests/fixtures/intake/admission-*.json)
// in, the AdmissionReview v1 response out.
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "intake_test_support.h"
#include "server/admission.h"

namespace bulwark::server {
namespace {

using testing::intakeFixture;

AdmissionRequest parsed(const std::string& fixture) {
  auto request = parseAdmissionReview(intakeFixture(fixture));
  EXPECT_TRUE(request) << (request ? "" : request.error().message);
  return request ? *request : AdmissionRequest{};
}

// A decider over a fixed table; records every call.
struct Table {
  std::map<std::string, ImageVerdict> verdicts;
  std::vector<std::string> calls;
  ImageDecider decider() {
    return [this](const std::string& image) {
      calls.push_back(image);
      const auto it = verdicts.find(image);
      return it == verdicts.end() ? ImageVerdict{ImageState::NotScanned, ""} : it->second;
    };
  }
};

TEST(Admission, ReadsEveryImageOfAPod) {
  const auto request = parsed("admission-pod-create.json");
  EXPECT_EQ(request.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(request.kind, "Pod");
  EXPECT_EQ(request.operation, "CREATE");
  EXPECT_EQ(request.namespace_name, "shop");
  EXPECT_FALSE(request.dry_run);
  EXPECT_TRUE(request.inspected);
  EXPECT_TRUE(request.problems.empty());
  ASSERT_EQ(request.images.size(), 5U);
  EXPECT_EQ(request.images[0].where, "containers[0] (web)");
  EXPECT_EQ(request.images[0].image, "nginx:1.25");
  EXPECT_EQ(request.images[0].reference, "docker.io/library/nginx:1.25");
  EXPECT_EQ(request.images[0].registry, "docker.io");
  EXPECT_EQ(request.images[1].reference,
            "registry.example.com/shop/agent@sha256:"
            "425c89ed5bb78a7623fae60fd8a6f648488168740fe82cf6ad34caa4d07aa972");
  EXPECT_EQ(request.images[2].registry, "quay.io");
  EXPECT_EQ(request.images[3].where, "initContainers[0] (migrate)");
  EXPECT_EQ(request.images[4].where, "ephemeralContainers[0] (debugger)");
  EXPECT_EQ(request.images[4].reference, "docker.io/library/busybox:latest");
}

TEST(Admission, AllowedWhenEveryImagePasses) {
  const auto request = parsed("admission-pod-create.json");
  Table table;
  for (const auto& image : request.images) {
    table.verdicts[image.reference] = {ImageState::Passed, ""};
  }
  const auto response = decideAdmission(request, {}, table.decider());
  EXPECT_TRUE(response.allowed);
  EXPECT_EQ(response.uid, request.uid);
  EXPECT_TRUE(response.warnings.empty());
  EXPECT_EQ(table.calls.size(), 5U);
  const auto review = nlohmann::json::parse(renderAdmissionReview(response));
  EXPECT_EQ(review["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(review["kind"], "AdmissionReview");
  EXPECT_EQ(review["response"]["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(review["response"]["allowed"], true);
  EXPECT_FALSE(review["response"].contains("status"));
}

TEST(Admission, DeniesWithOneReasonPerImage) {
  const auto request = parsed("admission-pod-create.json");
  Table table;
  table.verdicts["docker.io/library/nginx:1.25"] = {ImageState::Failed,
                                                    "2 critical findings fail policy"};
  table.verdicts["registry.example.com/shop/migrate:2.1"] = {ImageState::Passed, ""};
  table.verdicts["docker.io/library/busybox:latest"] = {ImageState::Passed, ""};
  table.verdicts
      ["registry.example.com/shop/agent@sha256:"
       "425c89ed5bb78a7623fae60fd8a6f648488168740fe82cf6ad34caa4d07aa972"] = {ImageState::Error,
                                                                              "store unavailable"};
  AdmissionPolicy policy;
  policy.allowed_registries = {"docker.io", "*.example.com"};
  const auto response = decideAdmission(request, policy, table.decider());
  EXPECT_FALSE(response.allowed);
  EXPECT_EQ(response.code, 403);
  EXPECT_EQ(response.message,
            "image nginx:1.25: 2 critical findings fail policy; "
            "image registry.example.com/shop/agent@sha256:"
            "425c89ed5bb78a7623fae60fd8a6f648488168740fe82cf6ad34caa4d07aa972: could not be "
            "checked (store unavailable); "
            "image quay.io/prometheus/node-exporter:v1.7.0: registry quay.io is not allowed");
  // quay.io was refused before any lookup.
  EXPECT_EQ(table.calls.size(), 4U);
  const auto review = nlohmann::json::parse(renderAdmissionReview(response));
  EXPECT_EQ(review["response"]["allowed"], false);
  EXPECT_EQ(review["response"]["status"]["code"], 403);
  EXPECT_EQ(review["response"]["status"]["message"], response.message);
}

TEST(Admission, NeverScannedIsRefusedOrOnlyWarned) {
  const auto request = parsed("admission-deployment-create.json");
  ASSERT_EQ(request.images.size(), 2U);
  EXPECT_EQ(request.images[1].reference, "docker.io/envoyproxy/envoy:v1.28.0");
  Table table;
  table.verdicts["docker.io/envoyproxy/envoy:v1.28.0"] = {ImageState::Passed, ""};
  const auto refused = decideAdmission(request, {}, table.decider());
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.message, "image registry.example.com/shop/api:1.4.2: never scanned");

  AdmissionPolicy lenient;
  lenient.require_scanned = false;
  const auto warned = decideAdmission(request, lenient, table.decider());
  EXPECT_TRUE(warned.allowed);
  ASSERT_EQ(warned.warnings.size(), 1U);
  EXPECT_EQ(warned.warnings[0], "image registry.example.com/shop/api:1.4.2: never scanned");
}

TEST(Admission, AuditOnlyAllowsAndWarns) {
  const auto request = parsed("admission-cronjob-dryrun.json");
  EXPECT_TRUE(request.dry_run);
  EXPECT_EQ(request.kind, "CronJob");
  ASSERT_EQ(request.images.size(), 1U);
  EXPECT_EQ(request.images[0].where, "containers[0] (report)");
  AdmissionPolicy policy;
  policy.allowed_registries = {"registry.example.com"};
  policy.audit_only = true;
  Table table;
  const auto response = decideAdmission(request, policy, table.decider());
  EXPECT_TRUE(response.allowed);
  ASSERT_EQ(response.warnings.size(), 1U);
  EXPECT_EQ(response.warnings[0],
            "audit: image evil.example.net/report:2026.11: registry evil.example.net is not "
            "allowed");
  const auto review = nlohmann::json::parse(renderAdmissionReview(response));
  EXPECT_EQ(review["response"]["allowed"], true);
  EXPECT_EQ(review["response"]["warnings"][0], response.warnings[0]);

  policy.audit_only = false;
  EXPECT_FALSE(decideAdmission(request, policy, table.decider()).allowed);
}

TEST(Admission, DeleteIsAllowedUnchecked) {
  const auto request = parsed("admission-delete.json");
  EXPECT_EQ(request.operation, "DELETE");
  EXPECT_TRUE(request.images.empty());  // oldObject is not read
  Table table;
  AdmissionPolicy policy;
  policy.allowed_registries = {"registry.example.com"};
  const auto response = decideAdmission(request, policy, table.decider());
  EXPECT_TRUE(response.allowed);
  EXPECT_TRUE(table.calls.empty());
  EXPECT_EQ(response.uid, "9e0b5d2a-7c41-4f3e-a6d8-2b1c0e9f8a7d");
}

TEST(Admission, ExemptNamespacesAndOtherSubresources) {
  auto request = parsed("admission-pod-create.json");
  AdmissionPolicy policy;
  policy.allowed_registries = {"nowhere.example"};
  policy.exempt_namespaces = {"shop"};
  Table table;
  EXPECT_TRUE(decideAdmission(request, policy, table.decider()).allowed);
  EXPECT_TRUE(table.calls.empty());

  std::string body = intakeFixture("admission-pod-create.json");
  const auto at = body.find("\"name\": \"web-0\",\n    \"namespace\"");
  ASSERT_NE(at, std::string::npos);
  body.insert(at, "\"subResource\": \"status\", ");
  const auto status_update = parseAdmissionReview(body);
  ASSERT_TRUE(status_update) << status_update.error().message;
  EXPECT_TRUE(status_update->images.empty());
}

TEST(Admission, InvalidImagesAndMalformedSpecsAreRefusals) {
  const auto review = [](const std::string& spec) {
    return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",)"
           R"("kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE",)"
           R"("namespace":"default","object":{"kind":"Pod","spec":)" +
           spec + "}}}";
  };
  Table table;
  auto bad_image = parseAdmissionReview(
      review(R"({"containers":[{"name":"a","image":"UPPER/Case:x"},{"name":"b"}]})"));
  ASSERT_TRUE(bad_image) << bad_image.error().message;
  ASSERT_EQ(bad_image->problems.size(), 1U);
  EXPECT_EQ(bad_image->problems[0], "containers[1] (b) has no image");
  const auto response = decideAdmission(*bad_image, {}, table.decider());
  EXPECT_FALSE(response.allowed);
  EXPECT_EQ(response.message,
            "containers[1] (b) has no image; image UPPER/Case:x (containers[0] (a)) is not a "
            "valid image reference");
  EXPECT_TRUE(table.calls.empty());

  auto not_array = parseAdmissionReview(review(R"({"containers":{"a":1}})"));
  ASSERT_TRUE(not_array);
  EXPECT_FALSE(decideAdmission(*not_array, {}, table.decider()).allowed);

  auto no_spec = parseAdmissionReview(review("null"));
  ASSERT_TRUE(no_spec);
  ASSERT_EQ(no_spec->problems.size(), 1U);
  EXPECT_EQ(no_spec->problems[0], "the Pod has no spec object");

  // No decider configured: fail closed.
  auto fine = parseAdmissionReview(review(R"({"containers":[{"name":"a","image":"debian"}]})"));
  ASSERT_TRUE(fine);
  const auto closed = decideAdmission(*fine, {}, ImageDecider{});
  EXPECT_FALSE(closed.allowed);
  EXPECT_EQ(closed.message, "image debian: could not be checked (no image lookup configured)");
}

TEST(Admission, ManyContainersAreBoundedAndDeduplicated) {
  std::string containers;
  for (int i = 0; i < 1100; ++i) {
    containers += (i == 0 ? "" : ",") + std::string(R"({"name":"c","image":"debian:12"})");
  }
  const std::string body =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u2",)"
      R"("kind":{"kind":"Pod"},"operation":"CREATE","object":{"spec":{"containers":[)" +
      containers + "]}}}}";
  const auto request = parseAdmissionReview(body);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->images.size(), kMaxAdmissionContainers);
  ASSERT_EQ(request->problems.size(), 1U);
  Table table;
  table.verdicts["docker.io/library/debian:12"] = {ImageState::Passed, ""};
  const auto response = decideAdmission(*request, {}, table.decider());
  EXPECT_EQ(table.calls.size(), 1U);  // one lookup per distinct image
  EXPECT_FALSE(response.allowed);     // but too many containers is a refusal
}

TEST(Admission, WarningsAreBounded) {
  std::string containers;
  for (int i = 0; i < 30; ++i) {
    containers += (i == 0 ? "" : ",") + std::string(R"({"name":"c","image":"debian:)") +
                  std::to_string(i) + std::string(200, 'x') + "\"}";
  }
  const std::string body =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u3",)"
      R"("kind":{"kind":"Pod"},"operation":"CREATE","object":{"spec":{"containers":[)" +
      containers + "]}}}}";
  const auto request = parseAdmissionReview(body);
  ASSERT_TRUE(request);
  AdmissionPolicy policy;
  policy.audit_only = true;
  Table table;
  const auto response = decideAdmission(*request, policy, table.decider());
  EXPECT_TRUE(response.allowed);
  ASSERT_EQ(response.warnings.size(), kMaxWarnings);
  for (const auto& warning : response.warnings) EXPECT_LE(warning.size(), kMaxWarningBytes);
  EXPECT_EQ(response.warnings.back(), "and 11 more warnings");
}

TEST(Admission, NotAReviewIsOneClearError) {
  for (const std::string body :
       {"", "[]", "{}",
        R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview",)"
        R"("request":{"uid":"x"}})",
        R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})",
        R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}})",
        R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":7}})"}) {
    const auto request = parseAdmissionReview(body);
    ASSERT_FALSE(request) << body;
    EXPECT_EQ(request.error().code, core::ErrorCode::Input) << body;
    EXPECT_EQ(request.error().message.rfind("admission review: ", 0), 0U);
  }
}

TEST(Admission, NamesAreEscapedForLogs) {
  const auto request = parseAdmissionReview(
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u4",)"
      R"("kind":{"kind":"Pod\n"},"operation":"DELETE","name":"web\n{\"level\":\"info\"}",)"
      R"("namespace":"a\u0000b"}})");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->name, R"(web\x0a{"level":"info"})");
  EXPECT_EQ(request->namespace_name, "a\\x00b");
  EXPECT_EQ(request->kind, "Pod\\x0a");
  const auto control_uid = parseAdmissionReview(
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u\n"}})");
  EXPECT_FALSE(control_uid);
}

TEST(Admission, RegistryPatterns) {
  EXPECT_TRUE(registryAllowed("docker.io", {}));
  EXPECT_TRUE(registryAllowed("Registry.Example.com", {"registry.example.com"}));
  EXPECT_TRUE(registryAllowed("a.example.com", {"*.example.com"}));
  EXPECT_FALSE(registryAllowed("example.com", {"*.example.com"}));
  EXPECT_TRUE(registryAllowed("localhost:5000", {"localhost:*"}));
  EXPECT_FALSE(registryAllowed("evil.io", {"docker.io", "quay.io"}));
}

}  // namespace
}  // namespace bulwark::server
