// JsonPath: every step kind, bad paths with their column, null handling, keys with dots, and
// scalarText as evidence shows values.
#include "checks/docker/json_path.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace bulwark::checks::docker {
namespace {

using nlohmann::json;

std::vector<std::string> texts(const std::vector<json>& values) {
  std::vector<std::string> out;
  for (const auto& value : values) out.push_back(scalarText(value));
  return out;
}

std::vector<std::string> resolveText(std::string_view path, const json& doc) {
  auto compiled = JsonPath::compile(path);
  EXPECT_TRUE(compiled) << path << ": " << compiled.error().message;
  if (!compiled) return {};
  return texts(compiled->resolve(doc));
}

const json kInspect = json::parse(R"({
  "HostConfig": {
    "Privileged": false,
    "CapAdd": ["SYS_ADMIN", "NET_ADMIN"],
    "CapDrop": null,
    "Memory": 0,
    "PidsLimit": -1,
    "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}],
                     "22/tcp": [{"HostIp": "0.0.0.0", "HostPort": "2222"}, null]},
    "Devices": []
  },
  "Config": {"ExposedPorts": {"80/tcp": {}, "22/tcp": {}}, "User": ""},
  "Options": {"com.docker.network.bridge.enable_icc": "false", "encrypted": ""},
  "Mounts": [{"Source": "/etc", "RW": true}, {"Source": "/data", "RW": false}]
})");

TEST(JsonPath, MemberSteps) {
  EXPECT_EQ(resolveText("HostConfig.Privileged", kInspect), std::vector<std::string>{"false"});
  EXPECT_EQ(resolveText("HostConfig.Memory", kInspect), std::vector<std::string>{"0"});
  EXPECT_EQ(resolveText("HostConfig.PidsLimit", kInspect), std::vector<std::string>{"-1"});
  EXPECT_EQ(resolveText("Config.User", kInspect), std::vector<std::string>{""});
  EXPECT_TRUE(resolveText("HostConfig.Nope", kInspect).empty());
  EXPECT_TRUE(resolveText("Config.User.Deeper", kInspect).empty());  // through a string
}

TEST(JsonPath, IndexStep) {
  EXPECT_EQ(resolveText("HostConfig.CapAdd[1]", kInspect), std::vector<std::string>{"NET_ADMIN"});
  EXPECT_TRUE(resolveText("HostConfig.CapAdd[2]", kInspect).empty());
  EXPECT_TRUE(resolveText("HostConfig[0]", kInspect).empty());  // index on an object
  EXPECT_EQ(resolveText("Mounts[0].Source", kInspect), std::vector<std::string>{"/etc"});
}

TEST(JsonPath, EachStep) {
  EXPECT_EQ(resolveText("HostConfig.CapAdd[*]", kInspect),
            (std::vector<std::string>{"SYS_ADMIN", "NET_ADMIN"}));
  EXPECT_EQ(resolveText("Mounts[*].RW", kInspect), (std::vector<std::string>{"true", "false"}));
  EXPECT_TRUE(resolveText("HostConfig.Devices[*]", kInspect).empty());
  EXPECT_TRUE(resolveText("HostConfig.Privileged[*]", kInspect).empty());
}

TEST(JsonPath, ValuesStep) {
  // Object order is nlohmann's: sorted keys, so 22/tcp comes before 80/tcp.
  EXPECT_EQ(resolveText("HostConfig.PortBindings{*}[*].HostPort", kInspect),
            (std::vector<std::string>{"2222", "8080"}));
  EXPECT_EQ(resolveText("HostConfig.PortBindings{*}[*].HostIp", kInspect),
            (std::vector<std::string>{"0.0.0.0", ""}));
  EXPECT_TRUE(resolveText("HostConfig.CapAdd{*}", kInspect).empty());  // {*} on an array
}

TEST(JsonPath, KeysStep) {
  EXPECT_EQ(resolveText("Config.ExposedPorts{keys}", kInspect),
            (std::vector<std::string>{"22/tcp", "80/tcp"}));
  auto path = JsonPath::compile("Config.ExposedPorts{keys}");
  ASSERT_TRUE(path);
  const auto values = path->resolve(kInspect);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_TRUE(values[0].is_string());
  // A key is a string: nothing is reached through it.
  EXPECT_TRUE(resolveText("Config.ExposedPorts{keys}.x", kInspect).empty());
  EXPECT_TRUE(resolveText("HostConfig.CapAdd{keys}", kInspect).empty());
}

TEST(JsonPath, KeysWithDots) {
  EXPECT_EQ(resolveText("Options[com.docker.network.bridge.enable_icc]", kInspect),
            std::vector<std::string>{"false"});
  EXPECT_EQ(resolveText("Options[encrypted]", kInspect), std::vector<std::string>{""});
  EXPECT_TRUE(resolveText("Options[com.docker.network.bridge.name]", kInspect).empty());
  // Keys may hold any character but ']', including spaces, braces and '.'.
  const json doc = json::parse(R"({"a": {"x y{*}.z": 1}})");
  EXPECT_EQ(resolveText("a[x y{*}.z]", doc), std::vector<std::string>{"1"});
}

TEST(JsonPath, NullIsAbsent) {
  EXPECT_TRUE(resolveText("HostConfig.CapDrop", kInspect).empty());
  EXPECT_TRUE(resolveText("HostConfig.CapDrop[*]", kInspect).empty());
  // The null element of 22/tcp's list is skipped, the others stay.
  EXPECT_EQ(resolveText("HostConfig.PortBindings{*}[*]", kInspect).size(), 2u);
  EXPECT_TRUE(resolveText("a", json(nullptr)).empty());
  EXPECT_TRUE(resolveText("a", json::parse(R"({"a": null})")).empty());
  // An empty list is a value when the path ends on the list itself.
  const auto devices = resolveText("HostConfig.Devices", kInspect);
  EXPECT_EQ(devices, std::vector<std::string>{"[]"});
}

TEST(JsonPath, FansOut) {
  const auto fans = [](std::string_view text) {
    auto path = JsonPath::compile(text);
    EXPECT_TRUE(path);
    return path && path->fansOut();
  };
  EXPECT_FALSE(fans("HostConfig.CapAdd"));
  EXPECT_FALSE(fans("HostConfig.CapAdd[0]"));
  EXPECT_FALSE(fans("Options[a.b]"));
  EXPECT_TRUE(fans("HostConfig.CapAdd[*]"));
  EXPECT_TRUE(fans("HostConfig.PortBindings{*}"));
  EXPECT_TRUE(fans("Config.ExposedPorts{keys}"));
}

TEST(JsonPath, CompiledSteps) {
  auto path = JsonPath::compile("A.b-c_1[x.y][12][*]{*}{keys}");
  ASSERT_TRUE(path) << path.error().message;
  EXPECT_EQ(path->text(), "A.b-c_1[x.y][12][*]{*}{keys}");
  using Kind = JsonPath::Step::Kind;
  const auto& steps = path->steps();
  ASSERT_EQ(steps.size(), 7u);
  EXPECT_EQ(steps[0].kind, Kind::Member);
  EXPECT_EQ(steps[0].name, "A");
  EXPECT_EQ(steps[1].name, "b-c_1");
  EXPECT_EQ(steps[2].kind, Kind::Member);
  EXPECT_EQ(steps[2].name, "x.y");
  EXPECT_EQ(steps[3].kind, Kind::Index);
  EXPECT_EQ(steps[3].index, 12u);
  EXPECT_EQ(steps[4].kind, Kind::Each);
  EXPECT_EQ(steps[5].kind, Kind::Values);
  EXPECT_EQ(steps[6].kind, Kind::Keys);
}

void expectError(std::string_view text, std::string_view column) {
  auto path = JsonPath::compile(text);
  ASSERT_FALSE(path) << text << " compiled";
  EXPECT_NE(path.error().message.find(column), std::string::npos)
      << text << ": " << path.error().message;
}

TEST(JsonPath, BadPathsNameTheColumn) {
  EXPECT_FALSE(JsonPath::compile(""));
  expectError(".a", "column 1");
  expectError("[*]", "column 1");
  expectError("a..b", "column 3");
  expectError("a.", "column 3");
  expectError("a[", "column 2");
  expectError("a[]", "column 3");
  expectError("a[b", "column 2");
  expectError("a{x}", "column 3");
  expectError("a{*", "column 2");
  expectError("a b", "column 2");
  expectError("HostConfig.Cap$Add", "column 15");
  expectError("a[99999999999999999999999]", "column 3");
  EXPECT_FALSE(JsonPath::compile(std::string(5000, 'a')));
}

TEST(ScalarText, Kinds) {
  EXPECT_EQ(scalarText(json("text")), "text");
  EXPECT_EQ(scalarText(json(true)), "true");
  EXPECT_EQ(scalarText(json(false)), "false");
  EXPECT_EQ(scalarText(json(-1)), "-1");
  EXPECT_EQ(scalarText(json(7776000000000000ULL)), "7776000000000000");
  EXPECT_EQ(scalarText(json(18446744073709551615ULL)), "18446744073709551615");
  EXPECT_EQ(scalarText(json::parse("[\"a\",1]")), "[\"a\",1]");
  EXPECT_EQ(scalarText(json::parse("{\"b\":2,\"a\":1}")), "{\"a\":1,\"b\":2}");
  EXPECT_EQ(scalarText(json(nullptr)), "null");
  EXPECT_EQ(scalarText(json(1.5)), "1.5");
}

TEST(ScalarText, LongValuesAreCut) {
  json list = json::array();
  for (int i = 0; i < 100; ++i) list.push_back("é-value");
  const auto text = scalarText(list);
  EXPECT_LE(text.size(), 200u);
  EXPECT_EQ(text.rfind("\xE2\x80\xA6"), text.size() - 3);
  EXPECT_EQ(text.substr(0, 4), "[\"\xC3\xA9");
  // Still valid UTF-8: dumping it as a JSON string does not throw.
  EXPECT_NO_THROW((void)json(text).dump());
  // Strings are never cut.
  EXPECT_EQ(scalarText(json(std::string(500, 'x'))).size(), 500u);
}

}  // namespace
}  // namespace bulwark::checks::docker
