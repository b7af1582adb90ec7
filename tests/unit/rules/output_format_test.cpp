// Output templates (src/rules/output_format.h): references with arguments, widths and
// transformers, the longest known field, text that is no reference, %container.info, <NA> for
// missing values, and every output of the shared Falco rule files.
#include "rules/output_format.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "testdata.h"

namespace bulwark::rules {
namespace {

std::string rendered(std::string_view text, const std::map<std::string, std::string>& values,
                     const FieldKnown& known = nullptr) {
  const auto output = parseOutput(text, known);
  return renderOutput(output, [&](const FieldExpr& field, std::string& out) {
    std::string key = field.name + (field.has_arg ? "[" + field.arg + "]" : "");
    for (const auto& t : field.transformers) key = t + "(" + key + ")";
    const auto found = values.find(key);
    if (found == values.end()) return false;
    out += found->second;
    return true;
  });
}

TEST(RulesOutput, ReferencesAreReplaced) {
  const std::map<std::string, std::string> values = {{"proc.name", "bash"},
                                                     {"proc.aname[2]", "sshd"},
                                                     {"tolower(user.name)", "root"},
                                                     {"fd.name", "/etc/shadow"}};
  EXPECT_EQ(
      rendered("Shell (proc=%proc.name parent=%proc.aname[2]) by %tolower(user.name)", values),
      "Shell (proc=bash parent=sshd) by root");
  // The reference ends where a field name cannot go on.
  EXPECT_EQ(rendered("(%proc.name)", values), "(bash)");
  EXPECT_EQ(rendered("file=%fd.name.", values), "file=/etc/shadow.");
  // Width pads or cuts.
  EXPECT_EQ(rendered("[%6proc.name]", values), "[bash  ]");
  EXPECT_EQ(rendered("[%2fd.name]", values), "[/e]");
  // Missing values print <NA>.
  EXPECT_EQ(rendered("user=%user.loginname", values), "user=<NA>");
}

TEST(RulesOutput, TextThatIsNoReferenceStays) {
  EXPECT_EQ(rendered("100% sure, %1 and %", {}), "100% sure, %1 and %");
  // Falco's "Outbound Connection to C2 Servers" misses a %: the text prints as written.
  EXPECT_EQ(rendered("fd_proto=fd.l4proto", {}), "fd_proto=fd.l4proto");
  EXPECT_EQ(rendered("%notafield and %x.", {}), "%notafield and %x.");
}

TEST(RulesOutput, TheLongestKnownFieldWins) {
  const FieldKnown known = [](std::string_view name) {
    return name == "proc.name" || name == "evt.time" || name == "evt.time.iso8601";
  };
  const std::map<std::string, std::string> values = {{"proc.name", "sh"},
                                                     {"evt.time.iso8601", "T"}};
  EXPECT_EQ(rendered("%proc.name.suffix %evt.time.iso8601", values, known), "sh.suffix T");
}

TEST(RulesOutput, ContainerInfoPrintsNothingWithAWarning) {
  const auto output = parseOutput("shell %container.info (id=%container.id)");
  ASSERT_EQ(output.warnings.size(), 1U);
  EXPECT_EQ(renderOutput(output,
                         [](const FieldExpr&, std::string& out) {
                           out += 'x';
                           return true;
                         }),
            "shell  (id=x)");
}

TEST(RulesOutput, FieldsAreListedOnce) {
  const auto output = parseOutput("%proc.name %proc.name %fd.name %tolower(proc.name)");
  const auto fields = output.fields();
  ASSERT_EQ(fields.size(), 3U);
  EXPECT_EQ(fields[0]->name, "proc.name");
  EXPECT_EQ(fields[1]->name, "fd.name");
  EXPECT_EQ(fields[2]->transformers, std::vector<std::string>{"tolower"});
}

// Every rule output of the shared files: at least one field each, offsets at a '%', and no
// `%word.word` left in the literal text.
TEST(RulesOutput, FalcoRuleFileOutputs) {
  BULWARK_REQUIRE_SHARED("runtime/falcosecurity-rules");
  const auto root = bulwark::testing::sharedTestdata() / "runtime";
  std::size_t outputs = 0;
  std::set<std::string> names;
  for (const char* file : {"falcosecurity-rules/HEAD/falco_rules.yaml",
                           "falcosecurity-rules/HEAD/falco-incubating_rules.yaml",
                           "falcosecurity-rules/HEAD/falco-sandbox_rules.yaml",
                           "falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml"}) {
    for (const auto& doc : YAML::LoadAllFromFile((root / file).string())) {
      for (const auto& item : doc) {
        if (!item["rule"] || !item["output"]) continue;
        const std::string text = item["output"].as<std::string>();
        const auto output = parseOutput(text);
        EXPECT_FALSE(output.fields().empty()) << item["rule"].as<std::string>();
        for (const auto& segment : output.segments) {
          if (segment.is_field) {
            EXPECT_EQ(text[segment.field.offset], '%');
            names.insert(segment.field.name);
          }
        }
        ++outputs;
      }
    }
  }
  EXPECT_GT(outputs, 100U);
  EXPECT_TRUE(names.contains("proc.cmdline"));
  EXPECT_TRUE(names.contains("ka.user.name"));
}

}  // namespace
}  // namespace bulwark::rules
