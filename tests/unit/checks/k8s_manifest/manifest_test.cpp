// Reading manifests (docs/dev/k8s-design.md §1.3, §7.3): document splitting, YAML 1.1 scalars,
// Lists, directory walks, limits, and the problems each bad input becomes.
#include "checks/k8s/manifest.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checks/k8s/yaml_json.h"
#include "testdata.h"

namespace bulwark::checks::k8s {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path manifests() { return testing::fixtures() / "k8s" / "manifests"; }

Inventory read(std::string_view text, const ManifestOptions& options = {},
               core::Diagnostics* diagnostics = nullptr) {
  core::Diagnostics local;
  Inventory inventory;
  addManifestText(text, "in.yaml", options, inventory, diagnostics ? *diagnostics : local);
  return inventory;
}

Inventory load(const std::vector<std::string>& paths, core::Diagnostics& diagnostics,
               const ManifestOptions& options = {}) {
  auto inventory = loadManifests(paths, options, diagnostics);
  EXPECT_TRUE(inventory.has_value()) << (inventory ? "" : inventory.error().message);
  return inventory ? std::move(*inventory) : Inventory{};
}

const Object* named(const Inventory& inventory, std::string_view kind, std::string_view name) {
  for (const auto& object : inventory.objects) {
    if (object.kind == kind && object.name == name) return &object;
  }
  return nullptr;
}

// A scratch directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("bulwark-k8s-manifest-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }
  void write(const std::string& relative, std::string_view text) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative, std::ios::binary) << text;
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// --- documents -------------------------------------------------------------------------

TEST(ManifestTest, ReadsEveryDocumentOfAStreamWithItsIndexAndLine) {
  core::Diagnostics diagnostics;
  const auto path = (manifests() / "multi-doc.yaml").string();
  const auto inventory = load({path}, diagnostics);
  ASSERT_TRUE(inventory.problems.empty()) << inventory.problems.front().reason;
  ASSERT_EQ(inventory.objects.size(), 3U);
  EXPECT_EQ(inventory.files, 1U);
  EXPECT_EQ(inventory.source, "1 file");
  EXPECT_EQ(inventory.cluster, "manifests");

  const Object* deployment = named(inventory, "Deployment", "web");
  ASSERT_NE(deployment, nullptr);
  EXPECT_EQ(deployment->origin.file, path);
  EXPECT_EQ(deployment->origin.document, 0U);
  EXPECT_EQ(deployment->origin.line, 3U);  // after two comment lines
  EXPECT_EQ(deployment->origin.column, 1U);
  EXPECT_EQ(deployment->api_version, "apps/v1");
  EXPECT_EQ(deployment->group, "apps");
  EXPECT_EQ(deployment->version, "v1");
  EXPECT_EQ(deployment->ns, "shop");
  EXPECT_FALSE(deployment->namespace_defaulted);
  EXPECT_TRUE(deployment->state.ok());
  EXPECT_EQ(deployment->workload, WorkloadKind::Deployment);

  const Object* service = named(inventory, "Service", "web");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->origin.document, 1U);
  EXPECT_EQ(service->origin.line, 28U);
  EXPECT_EQ(service->group, "");
  EXPECT_EQ(service->version, "v1");

  // `--- # comment` opens the third document; a ClusterRole ignores metadata.namespace.
  const Object* role = named(inventory, "ClusterRole", "reader");
  ASSERT_NE(role, nullptr);
  EXPECT_EQ(role->origin.document, 2U);
  EXPECT_EQ(role->origin.line, 37U);
  EXPECT_EQ(role->ns, "");
  EXPECT_EQ(role->resourceName(), "k8s:_cluster/ClusterRole/reader");
}

TEST(ManifestTest, RecordsTheLinesOfContainersAndVolumes) {
  core::Diagnostics diagnostics;
  const auto inventory = load({(manifests() / "multi-doc.yaml").string()}, diagnostics);
  const Object* deployment = named(inventory, "Deployment", "web");
  ASSERT_NE(deployment, nullptr);
  const std::map<std::string, std::size_t, std::less<>> expected = {
      {"spec.template.spec.initContainers[name=migrate]", 15},
      {"spec.template.spec.containers[name=web]", 18},
      {"spec.template.spec.containers[name=sidecar]", 22},
      {"spec.template.spec.volumes[name=data]", 25},
  };
  EXPECT_EQ(deployment->lines, expected);
  EXPECT_EQ(deployment->lineOf("spec.template.spec.containers[name=web].securityContext"), 18U);
  EXPECT_EQ(deployment->lineOf("spec.template.spec.hostNetwork"), 3U);
  EXPECT_NE(deployment->locationSuffix("spec.template.spec.containers[name=sidecar].image")
                .find("multi-doc.yaml:22)"),
            std::string::npos);
  // `privileged: yes` is true, as the API server reads it.
  EXPECT_EQ(
      deployment->doc["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"],
      json(true));
}

TEST(ManifestTest, CronJobContainerLinesUseItsPodSpecPath) {
  const auto inventory = read(
      "apiVersion: batch/v1\n"
      "kind: CronJob\n"
      "metadata: {name: nightly}\n"
      "spec:\n"
      "  jobTemplate:\n"
      "    spec:\n"
      "      template:\n"
      "        spec:\n"
      "          containers:\n"
      "          - name: backup\n"
      "            image: backup:2\n"
      "          - image: unnamed:1\n");
  ASSERT_EQ(inventory.objects.size(), 1U);
  const auto& lines = inventory.objects[0].lines;
  EXPECT_EQ(lines.at("spec.jobTemplate.spec.template.spec.containers[name=backup]"), 10U);
  EXPECT_EQ(lines.at("spec.jobTemplate.spec.template.spec.containers[1]"), 12U);
}

TEST(ManifestTest, SkipsEmptyAndCommentOnlyDocumentsButCountsThem) {
  core::Diagnostics diagnostics;
  const auto inventory = read(
      "# leading comment\n"
      "---\n"
      "# nothing here\n"
      "---\n"
      "\n"
      "---\n"
      "apiVersion: v1\n"
      "kind: ConfigMap\n"
      "metadata: {name: a}\n"
      "...\n"
      "---\n"
      "~\n"
      "---\n",
      {}, &diagnostics);
  EXPECT_TRUE(inventory.problems.empty());
  EXPECT_EQ(diagnostics.size(), 0U);
  ASSERT_EQ(inventory.objects.size(), 1U);
  EXPECT_EQ(inventory.objects[0].origin.document, 2U);
  EXPECT_EQ(inventory.objects[0].origin.line, 7U);
}

TEST(ManifestTest, KeepsTheHelmSourceOfEachDocument) {
  core::Diagnostics diagnostics;
  const auto inventory = load({(manifests() / "helm-rendered.yaml").string()}, diagnostics);
  EXPECT_TRUE(inventory.problems.empty());
  ASSERT_EQ(inventory.objects.size(), 3U);  // the disabled hpa.yaml template is skipped
  const Object* account = named(inventory, "ServiceAccount", "demo");
  const Object* service = named(inventory, "Service", "demo");
  const Object* deployment = named(inventory, "Deployment", "demo");
  ASSERT_TRUE(account && service && deployment);
  EXPECT_EQ(account->origin.item, "helm:demo/templates/serviceaccount.yaml");
  EXPECT_EQ(service->origin.item, "helm:demo/templates/service.yaml");
  EXPECT_EQ(deployment->origin.item, "helm:demo/templates/deployment.yaml");
  EXPECT_EQ(account->origin.document, 0U);
  EXPECT_EQ(service->origin.document, 2U);
  EXPECT_EQ(deployment->origin.document, 3U);
  EXPECT_EQ(deployment->origin.line, 31U);
  EXPECT_EQ(deployment->lines.at("spec.template.spec.containers[name=demo]"), 51U);
  EXPECT_EQ(account->ns, "default");
  EXPECT_TRUE(account->namespace_defaulted);
}

TEST(ManifestTest, AcceptsCrLfLineEnds) {
  const auto inventory = read(
      "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n---\r\n"
      "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: b\r\n");
  EXPECT_TRUE(inventory.problems.empty());
  ASSERT_EQ(inventory.objects.size(), 2U);
  EXPECT_EQ(inventory.objects[1].name, "b");
  EXPECT_EQ(inventory.objects[1].origin.line, 6U);
}

TEST(ManifestTest, ManyDocumentsKeepTheirOrderWhenParsedInParallel) {
  std::string text;
  for (int i = 0; i < 400; ++i) {
    text += i == 250
                ? std::string("apiVersion: v1\nkind: [broken\n\n---\n")
                : fmt::format("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{}}}\n---\n", i);
  }
  const auto inventory = read(text);
  ASSERT_EQ(inventory.objects.size(), 399U);
  for (std::size_t i = 0; i < inventory.objects.size(); ++i) {
    const std::size_t document = i < 250 ? i : i + 1;
    EXPECT_EQ(inventory.objects[i].origin.document, document);
    EXPECT_EQ(inventory.objects[i].name, fmt::format("c{}", document));
    EXPECT_EQ(inventory.objects[i].origin.line, document * 4 + 1);
  }
  ASSERT_EQ(inventory.problems.size(), 1U);
  EXPECT_EQ(inventory.problems[0].resource, "file:in.yaml#250");
}

// --- Lists -------------------------------------------------------------------------------

TEST(ManifestTest, UnwrapsAPodListWhoseItemsHaveNoKind) {
  core::Diagnostics diagnostics;
  const auto inventory = load({(manifests() / "podlist.yaml").string()}, diagnostics);
  EXPECT_TRUE(inventory.problems.empty());
  ASSERT_EQ(inventory.objects.size(), 2U);
  const Object& first = inventory.objects[0];
  EXPECT_EQ(first.kind, "Pod");
  EXPECT_EQ(first.api_version, "v1");
  EXPECT_EQ(first.name, "web-0");
  EXPECT_EQ(first.ns, "shop");
  EXPECT_EQ(first.workload, WorkloadKind::Pod);
  EXPECT_EQ(first.origin.item, "items[0]");
  EXPECT_EQ(first.origin.line, 8U);
  EXPECT_EQ(first.lines.at("spec.containers[name=web]"), 13U);
  EXPECT_FALSE(first.doc.contains("kind"));  // the document stays as read
  EXPECT_EQ(inventory.objects[1].origin.item, "items[1]");
  EXPECT_EQ(inventory.objects[1].origin.line, 15U);
}

TEST(ManifestTest, UnwrapsNestedLists) {
  core::Diagnostics diagnostics;
  const auto inventory = load({(manifests() / "nested-list.yaml").string()}, diagnostics);
  EXPECT_TRUE(inventory.problems.empty());
  ASSERT_EQ(inventory.objects.size(), 3U);
  const Object* config = named(inventory, "ConfigMap", "settings");
  const Object* pod = named(inventory, "Pod", "inner");
  const Object* service = named(inventory, "Service", "outer");
  ASSERT_TRUE(config && pod && service);
  EXPECT_EQ(config->origin.item, "items[0].items[0]");
  EXPECT_EQ(pod->origin.item, "items[0].items[1]");
  EXPECT_EQ(pod->origin.line, 13U);
  EXPECT_EQ(pod->lines.at("spec.containers[name=app]"), 19U);
  EXPECT_EQ(service->origin.item, "items[1]");
  EXPECT_EQ(service->origin.line, 21U);
}

TEST(ManifestTest, ListsNestedTooDeepAreAProblem) {
  std::string text = "kind: Pod\nmetadata: {name: deep}\n";
  for (int level = 0; level < 5; ++level) {
    text =
        fmt::format("{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{}]}}",
                    level == 0 ? "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"deep\"}}" : text);
  }
  const auto inventory = read(text);
  EXPECT_TRUE(inventory.objects.empty());
  ASSERT_EQ(inventory.problems.size(), 1U);
  EXPECT_NE(inventory.problems[0].reason.find("nested deeper than 4"), std::string::npos);
}

TEST(ManifestTest, ListItemsThatAreNotMapsAreProblems) {
  const auto inventory = read(
      "apiVersion: v1\nkind: List\nitems:\n"
      "  - 42\n"
      "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: ok}}\n");
  ASSERT_EQ(inventory.objects.size(), 1U);
  ASSERT_EQ(inventory.problems.size(), 1U);
  EXPECT_EQ(inventory.problems[0].reason, "in.yaml:1:1: items[0]: not a map");
}

TEST(ManifestTest, ReadsAJsonListWithLineNumbers) {
  core::Diagnostics diagnostics;
  const auto inventory = load({(manifests() / "list.json").string()}, diagnostics);
  EXPECT_TRUE(inventory.problems.empty());
  ASSERT_EQ(inventory.objects.size(), 2U);
  const Object* deployment = named(inventory, "Deployment", "web");
  const Object* service = named(inventory, "Service", "web");
  ASSERT_TRUE(deployment && service);
  EXPECT_EQ(deployment->ns, "shop");
  EXPECT_EQ(deployment->origin.line, 8U);
  EXPECT_EQ(deployment->lines.at("spec.template.spec.containers[name=nginx]"), 35U);
  EXPECT_EQ(deployment->doc["spec"]["replicas"], json(1));
}

// --- YAML 1.1 scalars --------------------------------------------------------------------

TEST(ManifestTest, ResolvesScalarsAsKubernetesDoes) {
  EXPECT_EQ(resolvePlainScalar("yes"), json(true));
  EXPECT_EQ(resolvePlainScalar("On"), json(true));
  EXPECT_EQ(resolvePlainScalar("Y"), json(true));
  EXPECT_EQ(resolvePlainScalar("off"), json(false));
  EXPECT_EQ(resolvePlainScalar("NO"), json(false));
  EXPECT_EQ(resolvePlainScalar("FALSE"), json(false));
  EXPECT_EQ(resolvePlainScalar("yES"), json("yES"));
  EXPECT_EQ(resolvePlainScalar("~"), json(nullptr));
  EXPECT_EQ(resolvePlainScalar("Null"), json(nullptr));
  EXPECT_EQ(resolvePlainScalar(""), json(nullptr));
  EXPECT_EQ(resolvePlainScalar("0644"), json(420));
  EXPECT_EQ(resolvePlainScalar("0o644"), json(420));
  EXPECT_EQ(resolvePlainScalar("0x1F"), json(31));
  EXPECT_EQ(resolvePlainScalar("0b101"), json(5));
  EXPECT_EQ(resolvePlainScalar("-17"), json(-17));
  EXPECT_EQ(resolvePlainScalar("+17"), json(17));
  EXPECT_EQ(resolvePlainScalar("0"), json(0));
  EXPECT_EQ(resolvePlainScalar("1_000"), json(1000));
  EXPECT_EQ(resolvePlainScalar("-9223372036854775808"), json(INT64_MIN));
  EXPECT_EQ(resolvePlainScalar("18446744073709551615"), json(UINT64_MAX));
  EXPECT_TRUE(resolvePlainScalar("18446744073709551616").is_number_float());
  EXPECT_EQ(resolvePlainScalar("08"), json(8.0));  // not octal: go-yaml reads a float
  EXPECT_EQ(resolvePlainScalar("1.5"), json(1.5));
  EXPECT_EQ(resolvePlainScalar(".5"), json(0.5));
  EXPECT_EQ(resolvePlainScalar("-2e3"), json(-2000.0));
  EXPECT_EQ(resolvePlainScalar("1e999"), json("1e999"));
  EXPECT_EQ(resolvePlainScalar(".inf"), json(".inf"));
  EXPECT_EQ(resolvePlainScalar("1.2.3"), json("1.2.3"));
  EXPECT_EQ(resolvePlainScalar("0x"), json("0x"));
  EXPECT_EQ(resolvePlainScalar("-"), json("-"));
  EXPECT_EQ(resolvePlainScalar("500m"), json("500m"));
  EXPECT_EQ(resolvePlainScalar("nginx:1.27"), json("nginx:1.27"));
}

TEST(ManifestTest, QuotedAndTaggedScalarsStayStrings) {
  const auto inventory = read(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n"
      "data:\n"
      "  a: \"yes\"\n"
      "  b: 'on'\n"
      "  c: !!str true\n"
      "  d: \"0644\"\n"
      "  e: \"\"\n"
      "  f: \"null\"\n"
      "  g: !!int 0x10\n"
      "  h: !custom 12\n"
      "  i:\n"
      "  j: 0755\n");
  ASSERT_EQ(inventory.objects.size(), 1U);
  const json& data = inventory.objects[0].doc["data"];
  EXPECT_EQ(data["a"], json("yes"));
  EXPECT_EQ(data["b"], json("on"));
  EXPECT_EQ(data["c"], json("true"));
  EXPECT_EQ(data["d"], json("0644"));
  EXPECT_EQ(data["e"], json(""));
  EXPECT_EQ(data["f"], json("null"));
  EXPECT_EQ(data["g"], json(16));
  EXPECT_EQ(data["h"], json("12"));
  EXPECT_EQ(data["i"], json(nullptr));
  EXPECT_EQ(data["j"], json(493));
}

TEST(ManifestTest, ExpandsAliasesAndMergeKeys) {
  const auto inventory = read(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n"
      "base: &base {a: 1, b: 2}\n"
      "extra: &extra {c: 3}\n"
      "merged:\n"
      "  <<: [*base, *extra]\n"
      "  b: 20\n"
      "copy: *base\n");
  ASSERT_TRUE(inventory.problems.empty()) << inventory.problems.front().reason;
  const json& doc = inventory.objects.at(0).doc;
  EXPECT_EQ(doc["merged"], json::parse(R"({"a": 1, "b": 20, "c": 3})"));
  EXPECT_EQ(doc["copy"], json::parse(R"({"a": 1, "b": 2})"));
}

TEST(ManifestTest, YamlToJsonGivesElementPositionsAndRefusesTwoDocuments) {
  using Position = std::pair<std::size_t, std::size_t>;
  const auto document = yamlToJson("list:\n  - {a: 1}\n  -   b: 2\n", {}, 10);
  ASSERT_TRUE(document.has_value());
  EXPECT_EQ(document->line, 11U);
  EXPECT_EQ(document->positionOf(document->value["list"][0]), Position(12, 5));
  EXPECT_EQ(document->positionOf(document->value["list"][1]), Position(13, 7));
  EXPECT_EQ(document->positionOf(document->value), Position(0, 0));
  const auto two = yamlToJson("a: 1\n---\nb: 2\n", {});
  ASSERT_FALSE(two.has_value());
  EXPECT_NE(two.error().message.find("more than one document"), std::string::npos);
  const auto empty = yamlToJson("# nothing\n", {});
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->value.is_null());
  const auto nothing = yamlToJson(std::string_view(), {});
  ASSERT_TRUE(nothing.has_value());
  EXPECT_TRUE(nothing->value.is_null());
}

TEST(ManifestTest, YamlToJsonCountsLinesAtNewlinesAndColumnsInBytes) {
  using Position = std::pair<std::size_t, std::size_t>;
  // U+2028 and a lone CR are line breaks to the YAML parser, not to editors or the splitter.
  const auto document = yamlToJson("list:\n- a: \"x\u2028y\"\n- b: 2\n  c: \"x\ry\"\n- d: 3\n", {});
  ASSERT_TRUE(document.has_value()) << document.error().message;
  EXPECT_EQ(document->positionOf(document->value["list"][1]), Position(3, 3));
  EXPECT_EQ(document->positionOf(document->value["list"][2]), Position(5, 3));
  // Columns count bytes: `é` is two.
  const auto duplicate = yamlToJson("b: {\u00e9\u00e9\u00e9: 1, \u00e9\u00e9\u00e9: 2}\n", {}, 4);
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().line, 5U);
  EXPECT_EQ(duplicate.error().column, 16U);
  EXPECT_EQ(duplicate.error().message, "duplicate key `\u00e9\u00e9\u00e9`");
  // After a byte order mark, columns count from its end.
  const auto marked = yamlToJson("\xEF\xBB\xBF{a: 1}\n", {});
  ASSERT_TRUE(marked.has_value());
  EXPECT_EQ(marked->column, 1U);
}

TEST(ManifestTest, YamlToJsonSyntaxErrorsAreOneLineWithTheirPosition) {
  const auto error = yamlToJson("a: [1, 2\nb: 3\n", {}, 10);
  ASSERT_FALSE(error.has_value());
  EXPECT_EQ(error.error().line, 12U);
  EXPECT_EQ(error.error().column, 2U);
  EXPECT_EQ(
      error.error().message,
      "did not find expected ',' or ']' while parsing a flow sequence that starts on line 11");
  // Bad bytes: the line only, and one message for every kind of bad UTF-8.
  for (const std::string_view bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82"}) {
    const auto utf8 = yamlToJson(fmt::format("a: 1\nb: \"{}\"\n", bad), {}, 4);
    ASSERT_FALSE(utf8.has_value());
    EXPECT_EQ(utf8.error().line, 6U);
    EXPECT_EQ(utf8.error().column, 0U);
    EXPECT_EQ(utf8.error().message, "not valid UTF-8");
  }
}

TEST(ManifestTest, ControlCharactersAreAProblemAsForKubectl) {
  const auto inventory =
      read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: \"x\x01y\"}\n");
  EXPECT_TRUE(inventory.objects.empty());
  ASSERT_EQ(inventory.problems.size(), 1U);
  EXPECT_EQ(inventory.problems[0].reason, "in.yaml:4: control characters are not allowed");
}

TEST(ManifestTest, AnchorsAreDefinedWhereTheyStartAndMayBeRedefined) {
  const auto redefined = yamlToJson("a: &x 1\nb: &x 2\nc: *x\n", {});
  ASSERT_TRUE(redefined.has_value());
  EXPECT_EQ(redefined->value["c"], json(2));
  // Inside its own collection an anchor names nothing yet, not its previous value.
  const auto recursive = yamlToJson("a: &x 1\nb: &x [*x]\n", {});
  ASSERT_FALSE(recursive.has_value());
  EXPECT_EQ(recursive.error().message, "an alias names no anchor");
  EXPECT_EQ(recursive.error().line, 2U);
  EXPECT_EQ(recursive.error().column, 8U);
  const auto undefined = yamlToJson("a: *nope\n", {});
  ASSERT_FALSE(undefined.has_value());
  EXPECT_EQ(undefined.error().message, "the referenced anchor is not defined");
  const auto key = yamlToJson("a: &k b\n*k : c\n", {});
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error().message, "an alias is used as a key");
  // A key's anchor names the key's text.
  const auto named = yamlToJson("&k key: v\nother: *k\n", {});
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->value["other"], json("key"));
}

// --- bad documents -----------------------------------------------------------------------

TEST(ManifestTest, DuplicateKeyIsAProblemNamingTheKeyAndPosition) {
  const auto inventory = read(
      "apiVersion: v1\n"
      "kind: Pod\n"
      "metadata: {name: p}\n"
      "spec:\n"
      "  containers:\n"
      "    - name: c\n"
      "      securityContext:\n"
      "        privileged: false\n"
      "        privileged: true\n");
  EXPECT_TRUE(inventory.objects.empty());
  ASSERT_EQ(inventory.problems.size(), 1U);
  const auto& problem = inventory.problems[0];
  EXPECT_EQ(problem.check_id, "BW-K8S-602");
  EXPECT_EQ(problem.resource, "file:in.yaml#0");
  EXPECT_EQ(problem.cause, model::NotEvaluatedCause::Malformed);
  EXPECT_EQ(problem.reason, "in.yaml:9:9: duplicate key `privileged`");
  EXPECT_EQ(problem.file, "in.yaml");
  EXPECT_EQ(problem.line, 9U);
}

TEST(ManifestTest, LongDuplicateKeysAreCutOnACharacterBoundary) {
  std::string key(79, 'k');
  key += "\u00e9\u00e9";  // two-byte characters straddling the 80-byte cut
  const auto inventory = read(fmt::format("kind: ConfigMap\n{0}: 1\n{0}: 2\n", key));
  ASSERT_EQ(inventory.problems.size(), 1U);
  EXPECT_EQ(inventory.problems[0].reason,
            fmt::format("in.yaml:3:1: duplicate key `{}\u2026`", std::string(79, 'k')));
}

TEST(ManifestTest, ProblemsNeverQuoteSecretValues) {
  const auto inventory = read(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
      "data:\n"
      "  password: c3VwZXJzZWNyZXQ=\n"
      "  password: b3RoZXJzZWNyZXQ=\n"
      "---\n"
      "apiVersion: v1\nkind: Secret\nmetadata: {name: t}\n"
      "stringData: {token: hunter2\n");
  ASSERT_EQ(inventory.problems.size(), 2U);
  for (const auto& problem : inventory.problems) {
    EXPECT_EQ(problem.reason.find("c3VwZXJzZWNyZXQ"), std::string::npos) << problem.reason;
    EXPECT_EQ(problem.reason.find("b3RoZXJzZWNyZXQ"), std::string::npos) << problem.reason;
    EXPECT_EQ(problem.reason.find("hunter2"), std::string::npos) << problem.reason;
  }
  EXPECT_EQ(inventory.problems[0].reason, "in.yaml:6:3: duplicate key `password`");
}

TEST(ManifestTest, BadYamlCostsOnlyItsOwnDocument) {
  core::Diagnostics diagnostics;
  const auto path = (manifests() / "bad-middle.yaml").string();
  const auto inventory = load({path}, diagnostics);
  ASSERT_EQ(inventory.objects.size(), 2U);
  EXPECT_EQ(inventory.objects[0].name, "first");
  EXPECT_EQ(inventory.objects[1].name, "last");
  EXPECT_EQ(inventory.objects[1].origin.document, 2U);
  EXPECT_EQ(inventory.objects[1].origin.line, 12U);
  ASSERT_EQ(inventory.problems.size(), 1U);
  const auto& problem = inventory.problems[0];
  EXPECT_EQ(problem.check_id, "BW-K8S-602");
  EXPECT_EQ(problem.resource, "file:" + path + "#1");
  // The position is in the file, not in the document.
  EXPECT_GE(problem.line, 6U);
  EXPECT_LE(problem.line, 11U);
  EXPECT_EQ(problem.reason.rfind(path + ":", 0), 0U) << problem.reason;
}

TEST(ManifestTest, DocumentsThatAreNotMapsAreProblems) {
  const auto inventory = read("- a\n- b\n---\njust text\n---\n42\n");
  EXPECT_TRUE(inventory.objects.empty());
  ASSERT_EQ(inventory.problems.size(), 3U);
  EXPECT_EQ(inventory.problems[0].reason, "in.yaml:1:1: the document is a list, not a map");
  EXPECT_EQ(inventory.problems[1].resource, "file:in.yaml#1");
  EXPECT_EQ(inventory.problems[1].reason, "in.yaml:4:1: the document is a single value, not a map");
  EXPECT_EQ(inventory.problems[2].resource, "file:in.yaml#2");
}

// kubectl refuses an object without apiVersion ("apiVersion not set"); so do we, naming it. A
// List's items take the List's apiVersion when they name none.
TEST(ManifestTest, MissingApiVersionIsAProblem) {
  const auto inventory = read(
      "kind: Pod\nmetadata: {name: a}\n---\n"
      "api_version: v1\nkind: Pod\nmetadata: {name: b}\n---\n"
      "apiVersion: \"\"\nkind: Pod\nmetadata: {name: c}\n---\n"
      "apiVersion: [v1]\nkind: Pod\nmetadata: {name: d}\n---\n"
      "apiVersion: v1\nkind: List\nitems:\n"
      "  - {kind: ConfigMap, metadata: {name: inherits}}\n");
  ASSERT_EQ(inventory.objects.size(), 1U);
  EXPECT_EQ(inventory.objects[0].name, "inherits");
  EXPECT_EQ(inventory.objects[0].api_version, "v1");
  ASSERT_EQ(inventory.problems.size(), 4U);
  EXPECT_EQ(inventory.problems[0].reason, "in.yaml:1:1: no `apiVersion`");
  EXPECT_EQ(inventory.problems[1].reason, "in.yaml:4:1: no `apiVersion`");
  EXPECT_EQ(inventory.problems[2].reason, "in.yaml:8:1: `apiVersion` is empty");
  EXPECT_EQ(inventory.problems[3].reason, "in.yaml:12:1: `apiVersion` is not a string");
}

// kubectl and the API server refuse an object whose typed fields hold the wrong JSON type
// ("cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32");
// so do we, naming the first such field, rather than judge what reads well.
TEST(ManifestTest, FieldsTheApiServerCannotDecodeAreProblems) {
  const auto inventory = read(
      // 1: an unexpanded template in a port
      "apiVersion: v1\nkind: Service\nmetadata: {name: templated}\n"
      "spec: {ports: [{port: \"${PORT}\", targetPort: \"${PORT}\"}]}\n---\n"
      // 6: a quoted boolean in a container's securityContext
      "apiVersion: v1\nkind: Pod\nmetadata: {name: quoted}\n"
      "spec: {containers: [{name: c, image: x, securityContext: {privileged: \"true\"}}]}\n---\n"
      // 11: a number as a pod template label value
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: numbered}\n"
      "spec: {template: {metadata: {labels: {version: 1}}, spec: {containers: [{name: c}]}}}\n"
      "---\n"
      // 16: a containerPort beyond int32, in an init container
      "apiVersion: v1\nkind: Pod\nmetadata: {name: huge}\nspec: {containers: [{name: c}], "
      "initContainers: [{name: i, ports: [{containerPort: 4294967296}]}]}\n---\n"
      // 21: a role's verbs holding a map
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n"
      "rules: [{verbs: [{get: true}], resources: [pods]}]\n---\n"
      // decoded as the API server decodes them: a whole-number float, null, int-or-string
      // names, an int64 user id, YAML 1.1 booleans, a Secret's data (not a checked field)
      "apiVersion: v1\nkind: Pod\nmetadata: {name: fine, labels: {tier: \"1\"}}\n"
      "spec:\n  hostNetwork: no\n  securityContext: {runAsUser: 5000000000}\n"
      "  containers:\n    - {name: c, image: x, ports: [{containerPort: 80.0, hostPort: null}],\n"
      "       securityContext: {privileged: off}}\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata: {name: named}\n"
      "spec: {ports: [{port: 80, targetPort: http}]}\n---\n"
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {n: 1}\n");
  std::vector<std::string> names;
  for (const auto& o : inventory.objects) names.push_back(o.kind + "/" + o.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Pod/fine", "Service/named", "Secret/s"}));
  std::vector<std::string> reasons;
  for (const auto& p : inventory.problems) reasons.push_back(p.reason);
  EXPECT_EQ(reasons,
            (std::vector<std::string>{
                "in.yaml:1:1: Service templated: spec.ports[0].port is a string (${PORT}), not "
                "a 32-bit integer: the API server cannot decode it",
                "in.yaml:6:1: Pod quoted: spec.containers[name=c].securityContext.privileged is "
                "a string (true), not true or false: the API server cannot decode it",
                "in.yaml:11:1: Deployment numbered: spec.template.metadata.labels.version is a "
                "number (1), not a string: the API server cannot decode it",
                "in.yaml:16:1: Pod huge: spec.initContainers[name=i].ports[0].containerPort is a "
                "number (4294967296), not a 32-bit integer: the API server cannot decode it",
                "in.yaml:21:1: Role r: rules[0].verbs[0] is a map, not a string: the API server "
                "cannot decode it"}));
}

TEST(ManifestTest, MissingKindIsAProblemOutsideADirectoryWalk) {
  core::Diagnostics diagnostics;
  const auto inventory = read(
      "apiVersion: v1\nmetadata: {name: a}\n---\n"
      "kind: [Pod]\n---\n"
      "kind: \"\"\n---\n"
      "name: ci\non: push\n",
      {}, &diagnostics);
  EXPECT_TRUE(inventory.objects.empty());
  ASSERT_EQ(inventory.problems.size(), 4U);
  EXPECT_EQ(inventory.problems[0].reason, "in.yaml:1:1: no `kind`");
  EXPECT_EQ(inventory.problems[1].reason, "in.yaml:4:1: `kind` is not a string");
  EXPECT_EQ(inventory.problems[2].reason, "in.yaml:6:1: `kind` is empty");
  EXPECT_EQ(inventory.problems[3].resource, "file:in.yaml#3");
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(ManifestTest, NonStringKeysAreProblems) {
  const auto inventory = read(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n? [x, y]\n: z\n---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n~: z\n");
  EXPECT_TRUE(inventory.objects.empty());
  ASSERT_EQ(inventory.problems.size(), 2U);
  EXPECT_NE(inventory.problems[0].reason.find("a key is a map or a list"), std::string::npos);
  EXPECT_NE(inventory.problems[1].reason.find("a key is null"), std::string::npos);
}

TEST(ManifestTest, InvalidUtf8IsAProblem) {
  const auto inventory = read(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"b\xC0\xAF\"}\n");
  ASSERT_EQ(inventory.objects.size(), 1U);
  ASSERT_EQ(inventory.problems.size(), 1U);
  EXPECT_EQ(inventory.problems[0].reason, "in.yaml:7: not valid UTF-8");
}

TEST(ManifestTest, UnknownKindsAreObjectsNotProblems) {
  const auto inventory = read(
      "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: tls}\n---\n"
      "apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata: {name: dc}\n"
      "spec:\n  template:\n    spec:\n      containers:\n        - name: app\n");
  EXPECT_TRUE(inventory.problems.empty());
  ASSERT_EQ(inventory.objects.size(), 2U);
  EXPECT_EQ(inventory.objects[0].kind_class, KindClass::Unknown);
  EXPECT_EQ(inventory.objects[0].group, "cert-manager.io");
  EXPECT_EQ(inventory.objects[1].workload, WorkloadKind::Generic);
  EXPECT_EQ(inventory.objects[1].lines.at("spec.template.spec.containers[name=app]"), 12U);
}

// --- names and namespaces ------------------------------------------------------------------

TEST(ManifestTest, NamesFromGenerateNameOrTheDocumentIndex) {
  core::Diagnostics diagnostics;
  const auto inventory = read(
      "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-}\n---\n"
      "apiVersion: v1\nkind: ConfigMap\n",
      {}, &diagnostics);
  ASSERT_EQ(inventory.objects.size(), 2U);
  EXPECT_EQ(inventory.objects[0].name, "migrate-*");
  EXPECT_EQ(inventory.objects[1].name, "#1");
  const auto found = diagnostics.sorted();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].kind, "k8s.unnamed-object");
  EXPECT_EQ(found[0].where, "in.yaml:5");
}

TEST(ManifestTest, DefaultsTheNamespaceOfNamespacedKindsOnly) {
  ManifestOptions options;
  options.default_namespace = "team";
  const auto inventory = read(
      "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n---\n"
      "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: b, namespace: ops}\n---\n"
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: ops}\n",
      options);
  ASSERT_EQ(inventory.objects.size(), 3U);
  EXPECT_EQ(inventory.objects[0].ns, "team");
  EXPECT_TRUE(inventory.objects[0].namespace_defaulted);
  EXPECT_EQ(inventory.objects[1].ns, "ops");
  EXPECT_FALSE(inventory.objects[1].namespace_defaulted);
  EXPECT_EQ(inventory.objects[2].ns, "");
  EXPECT_FALSE(inventory.objects[2].namespace_defaulted);
  EXPECT_EQ(inventory.objects[2].kind_class, KindClass::Namespace);
}

// --- limits --------------------------------------------------------------------------------

// Ten levels of ten aliases would expand to 10^10 values: the value budget stops the expansion
// (so the work is bounded by the budget; benchmarks/, not this test, measures time).
TEST(ManifestTest, AliasBombHitsTheValueBudget) {
  std::string bomb =
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n"
      "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int level = 1; level < 10; ++level) {
    bomb += fmt::format("a{0}: &a{0} [", level);
    for (int i = 0; i < 10; ++i) bomb += fmt::format("{}*a{}", i == 0 ? "" : ", ", level - 1);
    bomb += "]\n";
  }
  const auto inventory = read(bomb);
  EXPECT_TRUE(inventory.objects.empty());
  ASSERT_EQ(inventory.problems.size(), 1U);
  EXPECT_NE(inventory.problems[0].reason.find("more than 2000000 values"), std::string::npos)
      << inventory.problems[0].reason;
}

TEST(ManifestTest, DeepNestingIsAProblem) {
  const std::string flow = "kind: Pod\nx: " + std::string(10'000, '[') + std::string(10'000, ']');
  std::string block = "kind: Pod\n";
  for (int level = 0; level < 1'000; ++level) {
    block += std::string(static_cast<std::size_t>(level), ' ') + "k:\n";
  }
  for (const auto& text : {flow, block}) {
    const auto inventory = read(text);
    EXPECT_TRUE(inventory.objects.empty());
    ASSERT_EQ(inventory.problems.size(), 1U);
    EXPECT_NE(inventory.problems[0].reason.find("nested deeper than 128 levels"), std::string::npos)
        << inventory.problems[0].reason;
  }
}

TEST(ManifestTest, SmallNodeAndDepthLimitsApply) {
  ManifestOptions options;
  options.max_nodes = 5;
  const auto many = read("apiVersion: v1\nkind: ConfigMap\ndata: {a: 1, b: 2, c: 3}\n", options);
  ASSERT_EQ(many.problems.size(), 1U);
  EXPECT_EQ(many.problems[0].reason, "in.yaml:3:17: more than 5 values (aliases expanded)");
  options = {};
  options.max_depth = 2;
  const auto deep = read("apiVersion: v1\nkind: ConfigMap\ndata: {a: [1]}\n", options);
  ASSERT_EQ(deep.problems.size(), 1U);
  EXPECT_EQ(deep.problems[0].reason, "in.yaml:3:11: nested deeper than 2 levels");
}

TEST(ManifestTest, DocumentAndObjectLimits) {
  const std::string three =
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
  ManifestOptions options;
  options.max_documents = 2;
  const auto documents = read(three, options);
  EXPECT_EQ(documents.objects.size(), 2U);
  ASSERT_EQ(documents.problems.size(), 1U);
  EXPECT_EQ(documents.problems[0].resource, "file:in.yaml#2");
  EXPECT_NE(documents.problems[0].reason.find("more than 2 documents"), std::string::npos);

  options = {};
  options.max_objects = 1;
  const auto objects = read(three, options);
  EXPECT_EQ(objects.objects.size(), 1U);
  ASSERT_EQ(objects.problems.size(), 1U);  // the file stops at the first object refused
  EXPECT_NE(objects.problems[0].reason.find("more than 1 objects in this run"), std::string::npos);
}

TEST(ManifestTest, OversizedFileIsAFileProblem) {
  TempDir dir;
  dir.write("big.yaml", "kind: ConfigMap\nmetadata: {name: big}\ndata: {a: \"" +
                            std::string(3000, 'x') + "\"}\n");
  ManifestOptions options;
  options.max_file_bytes = 2048;
  core::Diagnostics diagnostics;
  const auto path = (dir.path() / "big.yaml").string();
  const auto inventory = load({path}, diagnostics, options);
  EXPECT_TRUE(inventory.objects.empty());
  EXPECT_EQ(inventory.files, 0U);
  ASSERT_EQ(inventory.problems.size(), 1U);
  const auto& problem = inventory.problems[0];
  EXPECT_EQ(problem.check_id, "BW-K8S-603");
  EXPECT_EQ(problem.resource, "file:" + path);
  EXPECT_EQ(problem.cause, model::NotEvaluatedCause::Malformed);
  EXPECT_EQ(problem.reason, path + ": file is 3 KiB; the limit is 2 KiB");
}

TEST(ManifestTest, UnreadableFileIsAPermissionProblem) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file; permissions cannot be tested";
  TempDir dir;
  dir.write("secret.yaml", "kind: ConfigMap\n");
  fs::permissions(dir.path() / "secret.yaml", fs::perms::none);
  core::Diagnostics diagnostics;
  const auto inventory = load({(dir.path() / "secret.yaml").string()}, diagnostics);
  ASSERT_EQ(inventory.problems.size(), 1U);
  EXPECT_EQ(inventory.problems[0].check_id, "BW-K8S-603");
  EXPECT_EQ(inventory.problems[0].cause, model::NotEvaluatedCause::PermissionDenied);
}

// --- paths ---------------------------------------------------------------------------------

TEST(ManifestTest, WalksADirectorySortedWithFiltersAndRenderFirstProblems) {
  core::Diagnostics diagnostics;
  const auto root = (manifests() / "tree").string();
  ManifestOptions options;
  Inventory inventory;
  {
    auto loaded = loadManifests(std::vector<std::string>{root}, options, diagnostics);
    ASSERT_TRUE(loaded.has_value());
    inventory = std::move(*loaded);
  }
  // Z-upper.JSON, apps/db.yml, apps/web.yaml, ci.yaml; not notes.txt, .hidden/ or the chart
  // and kustomization directories.
  EXPECT_EQ(inventory.files, 4U);
  EXPECT_EQ(inventory.source, "4 files");
  ASSERT_EQ(inventory.objects.size(), 3U);
  EXPECT_NE(named(inventory, "ConfigMap", "upper"), nullptr);
  EXPECT_NE(named(inventory, "StatefulSet", "db"), nullptr);
  EXPECT_NE(named(inventory, "Deployment", "web"), nullptr);
  EXPECT_EQ(named(inventory, "ConfigMap", "hidden"), nullptr);

  ASSERT_EQ(inventory.problems.size(), 2U);
  const auto& chart = inventory.problems[0];
  EXPECT_EQ(chart.check_id, "BW-K8S-603");
  EXPECT_EQ(chart.resource, "file:" + (fs::path(root) / "chart").string());
  EXPECT_EQ(chart.cause, model::NotEvaluatedCause::MissingInput);
  EXPECT_NE(chart.reason.find("a Helm chart: render it first"), std::string::npos);
  const auto& kustomization = inventory.problems[1];
  EXPECT_EQ(kustomization.resource, "file:" + (fs::path(root) / "kust").string());
  EXPECT_NE(kustomization.reason.find("a kustomization: render it first"), std::string::npos);

  // ci.yaml is not a Kubernetes object: a diagnostic, not a problem.
  const auto found = diagnostics.sorted();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].kind, "k8s.not-an-object");
  EXPECT_EQ(found[0].where, (fs::path(root) / "ci.yaml").string() + ":2");
}

TEST(ManifestTest, ReadsFilesInPathOrderUpToMaxFiles) {
  TempDir dir;
  // Each file holds one bad document, so the problems show the order the files were read in.
  for (const std::string name : {"b.yaml", "a/z.yaml", "a.yaml", "A.yml"}) dir.write(name, "[\n");
  core::Diagnostics diagnostics;
  ManifestOptions options;
  options.max_files = 3;
  const auto inventory = load({dir.path().string()}, diagnostics, options);
  // Collected depth first with names sorted (A.yml, a/z.yaml, a.yaml; b.yaml is over the
  // limit), then read sorted by path.
  std::vector<std::string> problems;
  for (const auto& problem : inventory.problems) {
    problems.push_back(problem.check_id + " " +
                       fs::relative(problem.file, dir.path()).generic_string());
  }
  const std::vector<std::string> expected = {"BW-K8S-603 .", "BW-K8S-602 A.yml",
                                             "BW-K8S-602 a.yaml", "BW-K8S-602 a/z.yaml"};
  EXPECT_EQ(problems, expected);
  EXPECT_NE(inventory.problems[0].reason.find("more than 3 manifest files"), std::string::npos);
  EXPECT_EQ(inventory.files, 3U);
}

TEST(ManifestTest, DoesNotFollowSymlinksInAWalkButReadsOneGivenByName) {
  TempDir target;
  target.write("outside.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\n");
  TempDir dir;
  dir.write("own.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own}\n");
  fs::create_symlink(target.path() / "outside.yaml", dir.path() / "link.yaml");
  fs::create_directory_symlink(target.path(), dir.path() / "linked-dir");
  core::Diagnostics diagnostics;
  const auto walked = load({dir.path().string()}, diagnostics);
  ASSERT_EQ(walked.objects.size(), 1U);
  EXPECT_EQ(walked.objects[0].name, "own");
  const auto direct = load({(dir.path() / "link.yaml").string()}, diagnostics);
  ASSERT_EQ(direct.objects.size(), 1U);
  EXPECT_EQ(direct.objects[0].name, "outside");
}

TEST(ManifestTest, ChartGivenDirectlyIsNotRead) {
  core::Diagnostics diagnostics;
  const auto chart = (manifests() / "tree" / "chart").string();
  const auto inventory = load({chart}, diagnostics);
  EXPECT_TRUE(inventory.objects.empty());
  ASSERT_EQ(inventory.problems.size(), 1U);
  EXPECT_EQ(inventory.problems[0].resource, "file:" + chart);
  EXPECT_EQ(inventory.problems[0].cause, model::NotEvaluatedCause::MissingInput);
}

TEST(ManifestTest, MissingPathFailsAndStdinOnlyOnce) {
  core::Diagnostics diagnostics;
  const std::vector<std::string> missing = {"/nonexistent/bulwark/manifest.yaml"};
  const auto absent = loadManifests(missing, {}, diagnostics);
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().code, core::ErrorCode::NotFound);
  // Refused before anything is read.
  const std::vector<std::string> twice = {"-", "-"};
  const auto again = loadManifests(twice, {}, diagnostics);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, core::ErrorCode::Usage);
}

TEST(ManifestTest, ReadsStdin) {
  TempDir dir;
  dir.write("piped.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\n");
  const int saved = ::dup(STDIN_FILENO);
  const int piped = ::open((dir.path() / "piped.yaml").c_str(), O_RDONLY);
  ASSERT_GE(saved, 0);
  ASSERT_GE(piped, 0);
  ::dup2(piped, STDIN_FILENO);
  ::close(piped);
  core::Diagnostics diagnostics;
  const auto inventory = load({"-"}, diagnostics);
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  EXPECT_EQ(inventory.source, "stdin");
  ASSERT_EQ(inventory.objects.size(), 1U);
  EXPECT_EQ(inventory.objects[0].origin.file, "-");
  EXPECT_EQ(inventory.objects[0].name, "piped");
}

TEST(ManifestTest, LoadManifestsIndexesTheInventory) {
  core::Diagnostics diagnostics;
  const auto inventory =
      load({(manifests() / "multi-doc.yaml").string(), (manifests() / "podlist.yaml").string()},
           diagnostics);
  EXPECT_EQ(inventory.source, "2 files");
  ASSERT_EQ(inventory.objects.size(), 5U);
  EXPECT_EQ(inventory.objects[0].kind, "ClusterRole");  // cluster-scoped first
  EXPECT_EQ(inventory.objects[1].kind, "Pod");
  EXPECT_EQ(inventory.objects[3].kind, "Deployment");
  EXPECT_EQ(inventory.objects[4].kind, "Service");
  EXPECT_NE(inventory.find("Pod", "shop", "web-1"), nullptr);
}

}  // namespace
}  // namespace bulwark::checks::k8s
