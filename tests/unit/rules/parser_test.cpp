// The condition parser (src/rules/parser.h): shapes of the tree for each construct of the
// grammar, errors with the offset they point at, the nesting cap, and every condition of the
// Falco rule files we ship against (rules, macros, exceptions aside) parsing and reading back
// through toString() to the same tree.
#include "rules/parser.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "testdata.h"

namespace bulwark::rules {
namespace {

std::unique_ptr<Node> parsed(std::string_view text) {
  auto node = parseCondition(text);
  EXPECT_TRUE(node.has_value()) << text << ": " << (node ? "" : node.error().message) << " at "
                                << (node ? 0 : node.error().offset);
  return node ? std::move(*node) : nullptr;
}

std::string canonical(std::string_view text) {
  const auto node = parsed(text);
  return node ? toString(*node) : std::string("<error>");
}

ParseError errorOf(std::string_view text) {
  auto node = parseCondition(text);
  EXPECT_FALSE(node.has_value()) << text << " parsed as " << (node ? toString(**node) : "");
  return node ? ParseError{} : node.error();
}

TEST(RulesParser, PrecedenceIsNotThenAndThenOr) {
  EXPECT_EQ(canonical("a.b = 1 or c.d = 2 and not e.f = 3"),
            "(a.b = 1 or (c.d = 2 and not e.f = 3))");
  EXPECT_EQ(canonical("not not x"), "not not x");
  EXPECT_EQ(canonical("(a or b) and c"), "((a or b) and c)");
  EXPECT_EQ(canonical("a and(b or c)"), "(a and (b or c))");
  EXPECT_EQ(canonical("not(a)"), "not a");
  const auto node = parsed("spawned_process and container and not proc.name in (sh, bash)");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->kind, NodeKind::And);
  ASSERT_EQ(node->children.size(), 3U);
  EXPECT_EQ(node->children[0]->kind, NodeKind::Macro);
  EXPECT_EQ(node->children[0]->identifier, "spawned_process");
  EXPECT_EQ(node->children[2]->kind, NodeKind::Not);
  const Node& in = *node->children[2]->children[0];
  EXPECT_EQ(in.field.name, "proc.name");
  EXPECT_EQ(in.op, "in");
  EXPECT_EQ(in.value_kind, ValueKind::List);
  EXPECT_EQ(in.values, (std::vector<std::string>{"sh", "bash"}));
  EXPECT_EQ(in.offset, 38U);  // where proc.name starts
}

TEST(RulesParser, OperatorsAndValues) {
  EXPECT_EQ(canonical("evt.type=execve"), "evt.type = execve");
  EXPECT_EQ(canonical("proc.name!=sh"), "proc.name != sh");
  EXPECT_EQ(canonical("fd.name==/etc/shadow"), "fd.name == /etc/shadow");
  EXPECT_EQ(canonical("proc.pid<=-1"), "proc.pid <= -1");
  EXPECT_EQ(canonical("evt.rawres >= 0x10"), "evt.rawres >= 0x10");
  EXPECT_EQ(canonical("fd.sport > 1.5e+3"), "fd.sport > 1.5e+3");
  EXPECT_EQ(canonical("proc.cmdline contains \"nc -e\""), "proc.cmdline contains \"nc -e\"");
  EXPECT_EQ(canonical("fd.name pmatch (/etc, /var/run)"), "fd.name pmatch (/etc, /var/run)");
  EXPECT_EQ(canonical("ka.req.pod.volumes.hostpath intersects (/proc)"),
            "ka.req.pod.volumes.hostpath intersects (/proc)");
  EXPECT_EQ(canonical("proc.name in ()"), "proc.name in ()");
  EXPECT_EQ(canonical("proc.name in shell_binaries"), "proc.name in shell_binaries");
  EXPECT_EQ(canonical("ka.target.subresource exists"), "ka.target.subresource exists");
  EXPECT_EQ(canonical("(ka.user.name exists)"), "ka.user.name exists");
  EXPECT_EQ(canonical("proc.name startswith anyof (a, b)"), "proc.name startswith anyof (a, b)");
  EXPECT_EQ(canonical("fd.name glob '/tmp/*'"), "fd.name glob \"/tmp/*\"");
  EXPECT_EQ(canonical("proc.name regex \"[a-z]+\""), "proc.name regex \"[a-z]+\"");
}

TEST(RulesParser, FieldsArgumentsTransformersAndVal) {
  const auto node = parsed("tolower(basename(proc.aname[2])) = val(proc.name)");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->field.name, "proc.aname");
  EXPECT_TRUE(node->field.has_arg);
  EXPECT_EQ(node->field.arg, "2");
  EXPECT_EQ(node->field.transformers, (std::vector<std::string>{"tolower", "basename"}));
  EXPECT_EQ(node->value_kind, ValueKind::Field);
  EXPECT_TRUE(node->value_is_val);
  EXPECT_EQ(node->value_field.name, "proc.name");
  EXPECT_EQ(toString(*node), "tolower(basename(proc.aname[2])) = val(proc.name)");
  EXPECT_EQ(canonical("ka.req.pod.containers.image[0] startswith docker.io"),
            "ka.req.pod.containers.image[0] startswith docker.io");
  EXPECT_EQ(canonical("evt.arg[\"flags\"] contains O_TRUNC"), "evt.arg[flags] contains O_TRUNC");
  EXPECT_EQ(canonical("len(ka.req.pod.containers.image) > 3"),
            "len(ka.req.pod.containers.image) > 3");
}

TEST(RulesParser, QuotedStringsUnescape) {
  const auto node = parsed(R"(proc.cmdline = "a \"b\" \\ \x41 'c'")");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->values.front(), "a \"b\" \\ A 'c'");
  EXPECT_TRUE(node->quoted.front());
  const auto single = parsed(R"(proc.name = 'it\'s')");
  ASSERT_NE(single, nullptr);
  EXPECT_EQ(single->values.front(), "it's");
  // Control bytes read back through \xHH.
  const auto control = parsed("proc.name = \"a\\x01b\"");
  ASSERT_NE(control, nullptr);
  EXPECT_EQ(toString(*control), "proc.name = \"a\\x01b\"");
}

TEST(RulesParser, KeywordsNeedABlankOrParenthesis) {
  // `andx` is a bare value, `notx` a macro: keywords are whole words.
  EXPECT_EQ(canonical("notx"), "notx");
  EXPECT_EQ(canonical("proc.name = andx"), "proc.name = andx");
  EXPECT_EQ(canonical("not_shell and a.b exists"), "(not_shell and a.b exists)");
  const auto bad = errorOf("proc.name containsx");
  EXPECT_NE(bad.message.find("expected an operator"), std::string::npos) << bad.message;
}

TEST(RulesParser, ErrorsSayWhereAndWhat) {
  ParseError e = errorOf("");
  EXPECT_EQ(e.message, "empty condition");
  e = errorOf("proc.name = \"open");
  EXPECT_EQ(e.message, "unterminated quoted string");
  EXPECT_EQ(e.offset, 12U);
  e = errorOf("(a and b");
  EXPECT_NE(e.message.find("expected ')'"), std::string::npos) << e.message;
  EXPECT_EQ(e.offset, 8U);
  e = errorOf("proc.pid > ten");
  EXPECT_NE(e.message.find("expected a number"), std::string::npos) << e.message;
  EXPECT_EQ(e.offset, 11U);
  e = errorOf("proc.name in (a, b");
  EXPECT_NE(e.message.find("expected ',' or ')'"), std::string::npos) << e.message;
  e = errorOf("proc.name = a b");
  EXPECT_NE(e.message.find("unexpected token"), std::string::npos) << e.message;
  EXPECT_EQ(e.offset, 14U);
  e = errorOf("a and");
  e = errorOf("proc.name");
  EXPECT_NE(e.message.find("expected an operator"), std::string::npos) << e.message;
  e = errorOf("proc.aname[2 = x");
  EXPECT_NE(e.message.find("']'"), std::string::npos) << e.message;
  e = errorOf("proc.name in (a,)");
  EXPECT_NE(e.message.find("expected a value"), std::string::npos) << e.message;
  e = errorOf("= x");
  EXPECT_NE(e.message.find("expected a field or a macro"), std::string::npos) << e.message;
}

TEST(RulesParser, NestingIsCapped) {
  const std::string ok = std::string(900, '(') + "a" + std::string(900, ')');
  EXPECT_EQ(canonical(ok), "a");
  const std::string deep = std::string(5000, '(') + "a" + std::string(5000, ')');
  EXPECT_NE(errorOf(deep).message.find("nested deeper"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_NE(errorOf(nots + "a").message.find("nested deeper"), std::string::npos);
  std::string transformers = "a.b";
  for (int i = 0; i < 5000; ++i) transformers = "tolower(" + transformers + ")";
  EXPECT_NE(errorOf(transformers + " = x").message.find("nested deeper"), std::string::npos);
}

// Every `condition:` of the rule files (rules and macros), parsed as written — list names
// inside `(…)` are bare values, as they are before substitution — and stable through
// toString().
void parseEveryCondition(const std::filesystem::path& file, std::size_t& conditions) {
  SCOPED_TRACE(file.string());
  const std::vector<YAML::Node> docs = YAML::LoadAllFromFile(file.string());
  for (const auto& doc : docs) {
    if (!doc.IsSequence()) continue;
    for (const auto& item : doc) {
      if (!item.IsMap() || !item["condition"]) continue;
      const std::string name = item["rule"]    ? item["rule"].as<std::string>()
                               : item["macro"] ? item["macro"].as<std::string>()
                                               : std::string("?");
      const std::string text = item["condition"].as<std::string>();
      auto node = parseCondition(text);
      ASSERT_TRUE(node.has_value())
          << name << ": " << node.error().message << " at " << node.error().offset << "\n"
          << text;
      const std::string once = toString(**node);
      auto again = parseCondition(once);
      ASSERT_TRUE(again.has_value()) << name << ": " << once;
      EXPECT_EQ(toString(**again), once) << name;
      ++conditions;
    }
  }
}

TEST(RulesParser, EveryConditionOfTheFalcoRuleFilesParses) {
  BULWARK_REQUIRE_SHARED("runtime/falcosecurity-rules");
  const auto root = bulwark::testing::sharedTestdata() / "runtime";
  std::size_t conditions = 0;
  for (const char* file : {"falcosecurity-rules/HEAD/falco_rules.yaml",
                           "falcosecurity-rules/HEAD/falco-incubating_rules.yaml",
                           "falcosecurity-rules/HEAD/falco-sandbox_rules.yaml",
                           "falcosecurity-rules/HEAD/falco-deprecated_rules.yaml",
                           "falcosecurity-rules/falco-rules-0.1.0/falco_rules.yaml",
                           "falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml",
                           "falcosecurity-plugins/k8saudit-0.5.0/k8s_audit_rules.yaml",
                           "falcosecurity-plugins/k8saudit-gke/k8s_audit_rules_gke.yaml"}) {
    parseEveryCondition(root / file, conditions);
  }
  EXPECT_GT(conditions, 500U);
}

}  // namespace
}  // namespace bulwark::rules
