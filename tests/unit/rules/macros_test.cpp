// Macro inlining (src/rules/macros.h): inlined as a group where referenced, redefinition in
// place, Falco's loop and undefined-macro cases (falco 0.34.1 test/rules/invalid_macro_loop.yaml
// and invalid_overwrite_macro*.yaml, written out), unused macros, the bounds on chains and on
// expansion size, and every macro and rule of the shared Falco rule files resolving.
#include "rules/macros.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <string>
#include <vector>

#include "falco_files.h"
#include "rules/lists.h"

namespace bulwark::rules {
namespace {

std::unique_ptr<Node> parsed(std::string_view text) {
  auto node = parseCondition(text);
  EXPECT_TRUE(node.has_value()) << text;
  return node ? std::move(*node) : std::make_unique<Node>();
}

TEST(RulesMacros, InlinedAsAGroupWhereReferenced) {
  MacroTable macros;
  macros.add("open_read", parsed("evt.type in (open, openat) and fd.typechar = f"));
  macros.add("shell", parsed("proc.name in (sh, bash) or proc.pname = sh"));
  macros.add("unused_one", parsed("a.b exists"));
  EXPECT_TRUE(macros.resolve().empty());
  auto rule = parsed("open_read and not shell");
  ASSERT_TRUE(macros.expand(rule).has_value());
  EXPECT_EQ(toString(*rule),
            "((evt.type in (open, openat) and fd.typechar = f) and not (proc.name in (sh, bash) "
            "or proc.pname = sh))");
  EXPECT_EQ(macros.unused(), std::vector<std::string>{"unused_one"});
}

TEST(RulesMacros, RedefinitionReplacesInPlaceAndLoopsAreErrors) {
  // invalid_macro_loop.yaml: macro_a, then macro_b = macro_a, then macro_a = macro_b.
  MacroTable macros;
  macros.add("macro_a", parsed("evt.type=open"));
  macros.add("macro_b", parsed("macro_a"));
  macros.add("macro_a", parsed("macro_b"));
  const auto errors = macros.resolve();
  ASSERT_EQ(errors.size(), 1U);  // one loop, one error
  EXPECT_EQ(errors.front().macro, "macro_a");
  EXPECT_NE(errors.front().message.find("reference loop in macro"), std::string::npos)
      << errors.front().message;
  auto rule = parsed("macro_b and proc.name = x");
  const auto expanded = macros.expand(rule);
  ASSERT_FALSE(expanded.has_value());
  EXPECT_EQ(expanded.error().message, "depends on invalid macro 'macro_b'");
}

TEST(RulesMacros, UndefinedMacrosSayWhichAndWhere) {
  MacroTable macros;
  macros.add("some macro", parsed("evt.type = open and foo"));
  const auto errors = macros.resolve();
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].macro, "some macro");
  EXPECT_EQ(errors[0].message, "Undefined macro 'foo' used in filter.");
  EXPECT_EQ(errors[0].offset, 20U);
  auto rule = parsed("proc.name = x or bar");
  const auto expanded = macros.expand(rule);
  ASSERT_FALSE(expanded.has_value());
  EXPECT_EQ(expanded.error().message, "Undefined macro 'bar' used in filter.");
  EXPECT_EQ(expanded.error().offset, 17U);
}

TEST(RulesMacros, ChainsAndExpansionAreBounded) {
  // Each level uses the one below twice: 2^40 nodes if inlined blindly.
  MacroTable doubling;
  doubling.add("m0", parsed("a.b = 1"));
  for (int i = 1; i <= 40; ++i) {
    doubling.add("m" + std::to_string(i), parsed(fmt::format("m{} and m{}", i - 1, i - 1)));
  }
  const auto errors = doubling.resolve();
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.front().message.find("expands to more than"), std::string::npos)
      << errors.front().message;

  // Declared first, each using the next: resolving c0 walks the whole chain.
  MacroTable chain;
  for (int i = 0; i < 5000; ++i) {
    chain.add("c" + std::to_string(i), parsed("c" + std::to_string(i + 1)));
  }
  chain.add("c5000", parsed("a.b = 1"));
  const auto chained = chain.resolve();
  ASSERT_FALSE(chained.empty());
  EXPECT_NE(chained.front().message.find("nested more than"), std::string::npos)
      << chained.front().message;
}

// Falco's own rule files: lists substituted, every macro resolved, every rule expanded.
TEST(RulesMacros, FalcoRuleFilesResolve) {
  BULWARK_REQUIRE_SHARED("runtime/falcosecurity-rules");
  for (const std::vector<std::string> files :
       {std::vector<std::string>{"falcosecurity-rules/HEAD/falco_rules.yaml",
                                 "falcosecurity-rules/HEAD/falco-incubating_rules.yaml",
                                 "falcosecurity-rules/HEAD/falco-sandbox_rules.yaml"},
        std::vector<std::string>{"falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml"}}) {
    SCOPED_TRACE(files.front());
    const auto items = testing::readFalcoFiles(files);
    const auto& macro_texts = items.macros;
    const auto& rule_texts = items.rules;
    const auto& lists = items.lists;
    const auto flat = flattenLists(lists);
    auto condition = [&](const std::string& text) {
      bool truncated = false;
      return parsed(substituteLists(text, flat, kMaxConditionBytes, truncated).text);
    };
    MacroTable macros;
    for (const auto& [name, text] : macro_texts) macros.add(name, condition(text));
    for (const auto& error : macros.resolve()) {
      ADD_FAILURE() << error.macro << ": " << error.message;
    }
    for (const auto& [name, text] : rule_texts) {
      auto rule = condition(text);
      const auto expanded = macros.expand(rule);
      EXPECT_TRUE(expanded.has_value()) << name << ": " << expanded.error().message;
    }
    EXPECT_GT(rule_texts.size(), 20U);
  }
}

}  // namespace
}  // namespace bulwark::rules
