// The rules loader (src/rules/loader.h): Falco's own rule files load and compile without an
// error; Falco's rule-language error cases (falco 0.34.1 test/rules, with the item type, name and
// code its test matrix expects) give that item and code; override/append/enabled semantics; and
// condition errors point at the file position of the text that caused them.
#include "rules/loader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testdata.h"

namespace bulwark::rules {
namespace {

struct Loaded {
  RulesSource source;
  LoadResult result;
  std::vector<CompiledRule> rules;
};

std::unique_ptr<Loaded> loadTexts(const std::vector<std::pair<std::string, std::string>>& files) {
  auto out = std::make_unique<Loaded>();
  for (const auto& [name, text] : files) loadRulesText(text, name, out->source, out->result);
  out->rules = compileRules(out->source, out->result);
  return out;
}

std::unique_ptr<Loaded> loadShared(const std::vector<std::string>& files) {
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& file : files) {
    texts.emplace_back(
        file, bulwark::testing::readFile(bulwark::testing::sharedTestdata() / "runtime" / file));
  }
  return loadTexts(texts);
}

std::string describe(const LoadResult& result) {
  std::string out;
  for (const auto& m : result.messages) {
    out += (m.error ? "E " : "W ") + m.code + " " + m.item_type + " '" + m.item_name + "' " +
           m.at.file + ":" + std::to_string(m.at.line) + ":" + std::to_string(m.at.column) + " " +
           m.text + "\n";
  }
  return out;
}

std::size_t errors(const LoadResult& result) {
  return static_cast<std::size_t>(std::count_if(result.messages.begin(), result.messages.end(),
                                                [](const auto& m) { return m.error; }));
}

TEST(RulesLoader, FalcosOwnRuleFilesCompile) {
  BULWARK_REQUIRE_SHARED("runtime/falcosecurity-rules");
  auto falco = loadShared({"falcosecurity-rules/HEAD/falco_rules.yaml",
                           "falcosecurity-rules/HEAD/falco-incubating_rules.yaml",
                           "falcosecurity-rules/HEAD/falco-sandbox_rules.yaml"});
  EXPECT_EQ(errors(falco->result), 0U) << describe(falco->result);
  EXPECT_GT(falco->rules.size(), 80U);
  auto audit = loadShared({"falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml"});
  EXPECT_EQ(errors(audit->result), 0U) << describe(audit->result);
  EXPECT_GT(audit->rules.size(), 30U);
  for (const auto& rule : audit->rules) EXPECT_EQ(rule.item->source, "k8s_audit");
  auto legacy = loadShared({"falcosecurity-rules/falco-rules-0.1.0/falco_rules.yaml"});
  EXPECT_EQ(errors(legacy->result), 0U) << describe(legacy->result);
}

struct ErrorCase {
  std::vector<std::string> files;  // under falco 0.34.1 test/rules
  std::string item_type;
  std::string item_name;
  std::string code;
};

// Rows of falco_tests.yaml whose expected error needs no field table.
TEST(RulesLoader, FalcosErrorCasesNameTheItemAndCode) {
  BULWARK_REQUIRE_SHARED("runtime/falcosecurity-falco-0.34.1");
  const std::vector<ErrorCase> cases = {
      {{"invalid_not_yaml.yaml"}, "rules content", "", "LOAD_ERR_YAML_VALIDATE"},
      {{"invalid_not_array.yaml"}, "rules content", "", "LOAD_ERR_YAML_VALIDATE"},
      {{"invalid_array_item_not_object.yaml"}, "rules content item", "", "LOAD_ERR_YAML_VALIDATE"},
      {{"invalid_engine_version_not_number.yaml"},
       "required_engine_version",
       "",
       "LOAD_ERR_YAML_VALIDATE"},
      {{"invalid_yaml_parse_error.yaml"}, "rules content", "", "LOAD_ERR_YAML_PARSE"},
      {{"invalid_list_without_items.yaml"}, "list", "bad_list", "LOAD_ERR_YAML_VALIDATE"},
      {{"invalid_macro_without_condition.yaml"}, "macro", "bad_macro", "LOAD_ERR_YAML_VALIDATE"},
      {{"invalid_macro_loop.yaml"}, "macro", "macro_a", "LOAD_ERR_VALIDATE"},
      {{"invalid_rule_without_output.yaml"}, "rule", "no output rule", "LOAD_ERR_YAML_VALIDATE"},
      {{"invalid_append_rule_without_condition.yaml"},
       "rule",
       "no condition rule",
       "LOAD_ERR_VALIDATE"},
      {{"invalid_append_macro_dangling.yaml"}, "macro", "dangling append", "LOAD_ERR_VALIDATE"},
      {{"list_append_failure.yaml"}, "list", "my_list", "LOAD_ERR_VALIDATE"},
      {{"rule_append_failure.yaml"}, "rule", "my_rule", "LOAD_ERR_VALIDATE"},
      {{"invalid_base_macro.yaml", "invalid_overwrite_macro.yaml"},
       "macro",
       "some macro",
       "LOAD_ERR_VALIDATE"},
      {{"invalid_base_macro.yaml", "invalid_append_macro.yaml"},
       "macro",
       "some macro",
       "LOAD_ERR_COMPILE_CONDITION"},
      {{"invalid_overwrite_macro_multiple_docs.yaml"}, "macro", "some macro", "LOAD_ERR_VALIDATE"},
      {{"invalid_append_macro_multiple_docs.yaml"},
       "macro",
       "some macro",
       "LOAD_ERR_COMPILE_CONDITION"},
  };
  const auto dir =
      bulwark::testing::sharedTestdata() / "runtime/falcosecurity-falco-0.34.1/test/rules";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.files.back());
    std::vector<std::pair<std::string, std::string>> texts;
    for (const auto& file : c.files) {
      texts.emplace_back(file, bulwark::testing::readFile(dir / file));
    }
    const auto loaded = loadTexts(texts);
    ASSERT_GE(errors(loaded->result), 1U) << describe(loaded->result);
    const auto& first =
        *std::find_if(loaded->result.messages.begin(), loaded->result.messages.end(),
                      [](const auto& m) { return m.error; });
    EXPECT_EQ(first.item_type, c.item_type) << describe(loaded->result);
    EXPECT_EQ(first.item_name, c.item_name) << describe(loaded->result);
    EXPECT_EQ(first.code, c.code) << describe(loaded->result);
    EXPECT_FALSE(first.text.empty());
  }
}

// Falco 0.34.1's exception cases (test/rules/exceptions, expectations in
// falco_tests_exceptions.yaml): the validation errors name the exception, and the compiled
// condition is the rule's `and not` each exception, lists substituted into its values.
// item_unknown_fields.yaml is left out until the field tables exist.
TEST(RulesLoader, Exceptions) {
  BULWARK_REQUIRE_SHARED("runtime/falcosecurity-falco-0.34.1");
  const auto dir = bulwark::testing::sharedTestdata() /
                   "runtime/falcosecurity-falco-0.34.1/test/rules/exceptions";
  const std::vector<std::pair<std::string, std::string>> errors_expected = {
      {"item_no_fields.yaml", "ex1"},
      {"item_no_name.yaml", ""},
      {"append_item_no_name.yaml", ""},
      {"item_comps_fields_len_mismatch.yaml", "ex1"},
      {"item_unknown_comp.yaml", "ex1"},
      {"item_fields_values_len_mismatch.yaml", "ex1"},
      {"append_item_fields_values_len_mismatch.yaml", "ex1"},
      {"append_item_not_in_rule.yaml", "ex2"},
      {"rule_exception_new_no_field_append.yaml", "proc_cmdline"},
  };
  for (const auto& [file, name] : errors_expected) {
    SCOPED_TRACE(file);
    const auto loaded = loadTexts({{file, bulwark::testing::readFile(dir / file)}});
    ASSERT_GE(errors(loaded->result), 1U) << describe(loaded->result);
    const auto& first =
        *std::find_if(loaded->result.messages.begin(), loaded->result.messages.end(),
                      [](const auto& m) { return m.error; });
    EXPECT_EQ(first.item_type, "exception") << describe(loaded->result);
    EXPECT_EQ(first.item_name, name) << describe(loaded->result);
  }

  const std::vector<std::pair<std::string, std::string>> compiled = {
      {"rule_exception_single_field.yaml",
       "((evt.type = open and proc.name = cat) and not proc.cmdline in (\"cat /dev/zero\", "
       "\"cat /dev/null\"))"},
      {"rule_exception_values_list.yaml",
       "((evt.type = open and proc.name = cat) and not (proc.name = cat and proc.cmdline in "
       "(\"cat /dev/zero\", \"cat /dev/null\")))"},
      {"rule_exception_values_listref.yaml",
       "((evt.type = open and proc.name = cat) and not (proc.name = cat and proc.cmdline in "
       "(\"cat /dev/zero\", \"cat /dev/null\")))"},
      {"rule_exception_append_one_value.yaml",
       "((evt.type = open and proc.name = cat) and not (proc.name = cat or proc.name = cat))"},
      {"rule_exception_no_values.yaml", "(evt.type = open and proc.name = cat)"},
  };
  for (const auto& [file, expected] : compiled) {
    SCOPED_TRACE(file);
    const auto loaded = loadTexts({{file, bulwark::testing::readFile(dir / file)}});
    EXPECT_TRUE(loaded->result.ok()) << describe(loaded->result);
    ASSERT_EQ(loaded->rules.size(), 1U) << describe(loaded->result);
    EXPECT_EQ(toString(*loaded->rules[0].condition), expected);
  }
}

TEST(RulesLoader, OverrideAppendAndEnabled) {
  const std::string base = R"(
- list: shells
  items: [sh]
- macro: spawned
  condition: evt.type = execve
- rule: Shell
  desc: a shell
  condition: spawned and proc.name in (shells)
  output: shell %proc.name
  priority: WARNING
- rule: Other
  desc: other
  condition: spawned
  output: other
  priority: info
)";
  const std::string more = R"(
- list: shells
  items: [bash]
  override: {items: append}
- rule: Shell
  condition: and proc.pname != sshd
  override: {condition: append}
- rule: Other
  enabled: false
- rule: Shell
  priority: critical
  override: {priority: replace}
)";
  const auto loaded = loadTexts({{"base.yaml", base}, {"more.yaml", more}});
  EXPECT_TRUE(loaded->result.ok()) << describe(loaded->result);
  ASSERT_EQ(loaded->rules.size(), 1U);  // Other is disabled
  const auto& shell = loaded->rules[0];
  EXPECT_EQ(toString(*shell.condition),
            "(evt.type = execve and proc.name in (sh, bash) and proc.pname != sshd)");
  EXPECT_EQ(shell.item->priority, Priority::Critical);
  EXPECT_EQ(loaded->source.rules[1].priority, Priority::Informational);
}

TEST(RulesLoader, ConditionErrorsPointAtTheFilePosition) {
  const std::string text =
      "- macro: ok\n"
      "  condition: evt.type = open\n"
      "- rule: Broken\n"
      "  desc: d\n"
      "  condition: >\n"
      "    ok and\n"
      "    proc.name = \"unterminated\n"
      "  output: o\n"
      "  priority: NOTICE\n";
  const auto loaded = loadTexts({{"broken.yaml", text}});
  ASSERT_EQ(errors(loaded->result), 1U) << describe(loaded->result);
  const auto& m = loaded->result.messages.front();
  EXPECT_EQ(m.code, "LOAD_ERR_COMPILE_CONDITION");
  EXPECT_EQ(m.item_name, "Broken");
  EXPECT_EQ(m.at.file, "broken.yaml");
  EXPECT_EQ(m.at.line, 7U) << describe(loaded->result);
  EXPECT_EQ(m.at.column, 17U) << describe(loaded->result);  // the opening quote

  // An error in an appended part points into the file that appended it.
  const auto appended =
      loadTexts({{"base.yaml", "- macro: m\n  condition: evt.type = execve\n"},
                 {"more.yaml",
                  "- macro: m\n  condition: and proc.name in (a,\n  override: {condition: "
                  "append}\n"}});
  ASSERT_EQ(errors(appended->result), 1U) << describe(appended->result);
  const auto& a = *std::find_if(appended->result.messages.begin(), appended->result.messages.end(),
                                [](const auto& msg) { return msg.error; });
  EXPECT_EQ(a.at.file, "more.yaml") << describe(appended->result);
  EXPECT_EQ(a.at.line, 2U) << describe(appended->result);
}

TEST(RulesLoader, UnusedListsAndMacrosAndUnknownKeysAreWarnings) {
  const auto loaded = loadTexts({{"w.yaml", R"(
- list: never
  items: [x]
- macro: unused
  condition: evt.type = open
- rule: R
  desc: d
  condition: proc.name = x
  output: o
  priority: DEBUG
  colour: blue
)"}});
  EXPECT_TRUE(loaded->result.ok()) << describe(loaded->result);
  std::vector<std::string> codes;
  for (const auto& m : loaded->result.messages) codes.push_back(m.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"LOAD_UNKNOWN_ITEM", "LOAD_UNUSED_MACRO",
                                             "LOAD_UNUSED_LIST"}));
}

}  // namespace
}  // namespace bulwark::rules
