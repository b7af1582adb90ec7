// List substitution (src/rules/lists.h) on the cases of Falco's own rule-language tests
// (falco 0.34.1 test/rules/list_*.yaml, written out here as conditions and lists): a list name
// at the front, middle and end of a value list, used bare after `=`, with blanks around it, not
// inside a longer word, redefined, empty, nested in an earlier list, and named before it is
// defined. Each substituted condition is parsed, and error offsets map back to the condition.
#include "rules/lists.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "falco_files.h"
#include "rules/parser.h"

namespace bulwark::rules {
namespace {

std::string substituted(std::string_view condition, const std::vector<ListDef>& lists) {
  bool truncated = false;
  const auto out = substituteLists(condition, flattenLists(lists), 1 << 20, truncated);
  EXPECT_FALSE(truncated);
  return out.text;
}

// The canonical parse of the substituted condition.
std::string resolved(std::string_view condition, const std::vector<ListDef>& lists) {
  const std::string text = substituted(condition, lists);
  auto node = parseCondition(text);
  EXPECT_TRUE(node.has_value()) << text << ": " << (node ? "" : node.error().message);
  return node ? toString(**node) : std::string("<error>");
}

const std::vector<ListDef> kCat = {{"cat_binaries", {"cat"}}};

TEST(RulesLists, SubstitutedWhereverTheNameStandsAlone) {
  EXPECT_EQ(resolved("proc.name in (cat_binaries, ps)", kCat), "proc.name in (cat, ps)");
  EXPECT_EQ(resolved("proc.name in (ls, cat_binaries, ps)", kCat), "proc.name in (ls, cat, ps)");
  EXPECT_EQ(resolved("proc.name in (ls, cat_binaries)", kCat), "proc.name in (ls, cat)");
  // Bare after `=`: the text becomes `proc.name= cat ` — legal, and it detects in Falco.
  EXPECT_EQ(substituted("proc.name=cat_binaries", kCat), "proc.name= cat ");
  EXPECT_EQ(resolved("proc.name=cat_binaries", kCat), "proc.name = cat");
  EXPECT_EQ(resolved("proc.name= cat_binaries or proc.name=nopey", kCat),
            "(proc.name = cat or proc.name = nopey)");
}

TEST(RulesLists, ALongerWordIsNotTheList) {
  const std::vector<ListDef> lists = {{"my_list", {"\"one string\""}}};
  EXPECT_EQ(substituted("evt.type=open and fd.name in (file_my_list)", lists),
            "evt.type=open and fd.name in (file_my_list)");
  EXPECT_EQ(substituted("fd.name in (my_list_x, x_my_list)", lists),
            "fd.name in (my_list_x, x_my_list)");
}

TEST(RulesLists, ItemsWithBlanksAreQuotedAndEarlierListsExpand) {
  const std::vector<ListDef> lists = {
      {"shells", {"sh", "bash"}}, {"tools", {"shells", "my tool", "later"}}, {"later", {"x"}}};
  const auto flat = flattenLists(lists);
  ASSERT_EQ(flat.size(), 3U);
  EXPECT_EQ(flat[1].items, (std::vector<std::string>{"sh", "bash", "\"my tool\"", "later"}));
  // `later` stays a literal in `tools`, then the `later` pass expands it in the condition, as
  // Falco's text substitution does.
  EXPECT_EQ(resolved("proc.name in (tools)", lists), "proc.name in (sh, bash, \"my tool\", x)");
}

TEST(RulesLists, AnEmptyListTakesACommaWithIt) {
  const std::vector<ListDef> lists = {{"none", {}}};
  EXPECT_EQ(resolved("proc.name in (a, none)", lists), "proc.name in (a)");
  EXPECT_EQ(resolved("proc.name in (none, b)", lists), "proc.name in (b)");
  EXPECT_EQ(resolved("proc.name in (none)", lists), "proc.name in ()");
  EXPECT_EQ(resolved("proc.name in (a, none, b)", lists), "proc.name in (a, b)");
}

TEST(RulesLists, ErrorOffsetsPointIntoTheConditionAsWritten) {
  const std::vector<ListDef> lists = {{"cat_binaries", {"cat", "\"unterminated"}}};
  const std::string condition = "evt.type=open and proc.name in (cat_binaries)";
  bool truncated = false;
  const auto out = substituteLists(condition, flattenLists(lists), 1 << 20, truncated);
  auto node = parseCondition(out.text);
  ASSERT_FALSE(node.has_value()) << out.text;
  // The error is inside the substituted items: it points at the list's name.
  EXPECT_EQ(out.originOf(node.error().offset, condition.size()), condition.find("cat_binaries"));
  EXPECT_EQ(out.used, (std::vector<std::string>{"cat_binaries"}));
  // Text before the substitution keeps its offsets.
  EXPECT_EQ(out.originOf(4, condition.size()), 4U);
}

TEST(RulesLists, GrowthIsBounded) {
  // A list of 1,000 long items used 1,000 times would be ~1 GB of condition.
  std::vector<std::string> items(1000, std::string(1000, 'x'));
  const std::vector<ListDef> lists = {{"big", items}};
  std::string condition = "proc.name in (big";
  for (int i = 0; i < 999; ++i) condition += ", big";
  condition += ")";
  bool truncated = false;
  const auto out = substituteLists(condition, flattenLists(lists), 4 << 20, truncated);
  EXPECT_TRUE(truncated);
  EXPECT_LE(out.text.size(), std::size_t{4} << 20);
}

// The lists of Falco's own rule files substituted into every macro and rule condition of the
// same load (falco_rules.yaml first, as Falco loads them): every result parses.
void expectEverySubstitutedConditionParses(const std::vector<std::string>& files) {
  const auto items = testing::readFalcoFiles(files);
  std::vector<std::pair<std::string, std::string>> conditions = items.macros;
  conditions.insert(conditions.end(), items.rules.begin(), items.rules.end());
  const auto& lists = items.lists;
  const auto flat = flattenLists(lists);
  std::size_t used = 0;
  for (const auto& [name, text] : conditions) {
    bool truncated = false;
    const auto out = substituteLists(text, flat, kMaxConditionBytes, truncated);
    EXPECT_FALSE(truncated) << name;
    used += out.used.size();
    auto node = parseCondition(out.text);
    EXPECT_TRUE(node.has_value()) << name << ": " << (node ? "" : node.error().message) << "\n"
                                  << out.text;
  }
  EXPECT_GT(conditions.size(), 20U);
  EXPECT_GT(used, 10U);  // lists were really substituted
}

TEST(RulesLists, FalcoRuleFilesSubstituteAndParse) {
  BULWARK_REQUIRE_SHARED("runtime/falcosecurity-rules");
  expectEverySubstitutedConditionParses({"falcosecurity-rules/HEAD/falco_rules.yaml",
                                         "falcosecurity-rules/HEAD/falco-incubating_rules.yaml",
                                         "falcosecurity-rules/HEAD/falco-sandbox_rules.yaml"});
  expectEverySubstitutedConditionParses({"falcosecurity-rules/falco-rules-0.1.0/falco_rules.yaml"});
  expectEverySubstitutedConditionParses({"falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml"});
  expectEverySubstitutedConditionParses(
      {"falcosecurity-plugins/k8saudit-0.5.0/k8s_audit_rules.yaml"});
}

}  // namespace
}  // namespace bulwark::rules
