// Conditions compiled against the k8s_audit field table and evaluated on crafted events: every
// operator, the missing-field rule, list semantics, transformers, modifiers and the compile
// errors (src/rules/compiler.{h,cpp}; falco-rule-language.md §1.5).
#include <string>

#include <gtest/gtest.h>

#include "events/host/host_event.h"
#include "events/k8s_audit/audit_event.h"
#include "rules/compiler.h"
#include "rules/parser.h"

namespace bulwark::rules {
namespace {

const events::FieldTable& table() { return *events::fieldTable(events::Source::K8sAudit); }

constexpr const char* kEvent = R"json({
  "auditID": "a1", "verb": "create", "userAgent": "kubectl/v1.27.3 (linux/amd64)",
  "user": {"username": "system:serviceaccount:kube-system:Admin", "groups": ["dev", "ops"]},
  "objectRef": {"resource": "pods", "namespace": "default", "name": "web-1"},
  "requestURI": "/api/v1/namespaces/default/pods",
  "annotations": {"note": "aGVsbG8="},
  "requestObject": {"spec": {"containers": [{"image": "nginx:1"}, {"image": "redis"}],
    "volumes": [{"hostPath": {"path": "/var/run/docker.sock"}}]}}
})json";

class Conditions : public ::testing::Test {
 protected:
  void SetUp() override {
    auto root = parser_.parse(std::string(kEvent));
    ASSERT_EQ(root.error(), simdjson::SUCCESS);
    payload_ = events::k8s_audit::AuditEvent::of(root.value_unsafe(), 0);
    event_.payload = &payload_;
  }

  tl::expected<std::unique_ptr<Filter>, CompileError> compile(std::string_view condition) {
    auto node = parseCondition(condition);
    EXPECT_TRUE(node.has_value()) << condition;
    if (!node) return tl::unexpected(CompileError{node.error().message, node.error().offset});
    return compileFilter(**node, table(), slots_);
  }

  bool holds(std::string_view condition) {
    auto filter = compile(condition);
    EXPECT_TRUE(filter.has_value()) << condition << ": " << filter.error().message;
    if (!filter) return false;
    EvalContext context;
    context.reset(event_, slots_);
    return (*filter)->eval(context);
  }

  std::string error(std::string_view condition) {
    auto filter = compile(condition);
    return filter ? std::string() : filter.error().message;
  }

  simdjson::dom::parser parser_;
  events::k8s_audit::AuditEvent payload_;
  events::Event event_;
  FieldSlots slots_;
};

TEST_F(Conditions, StringOperators) {
  EXPECT_TRUE(holds("ka.verb = create"));
  EXPECT_TRUE(holds("ka.verb == create"));
  EXPECT_FALSE(holds("ka.verb != create"));
  EXPECT_TRUE(holds("ka.target.name startswith web-"));
  EXPECT_TRUE(holds("ka.target.name endswith -1"));
  EXPECT_TRUE(holds("ka.useragent contains linux/"));
  EXPECT_FALSE(holds("ka.useragent contains LINUX"));
  EXPECT_TRUE(holds("ka.useragent icontains LINUX"));
  EXPECT_TRUE(holds("ka.uri glob /api/*/pods"));
  EXPECT_FALSE(holds("ka.uri glob /API/*"));
  EXPECT_TRUE(holds("ka.uri iglob /API/*"));
  EXPECT_TRUE(holds("ka.useragent bcontains 6b756265"));  // "kube"
  EXPECT_TRUE(holds("ka.useragent bstartswith 6b75"));
  EXPECT_TRUE(holds("len(ka.verb) < 7"));
  EXPECT_TRUE(holds("len(ka.verb) >= 6"));
  EXPECT_FALSE(holds("len(ka.verb) <= 5"));
}

TEST_F(Conditions, RegexIsAnchoredAtBothEnds) {
  EXPECT_TRUE(holds("ka.target.name regex 'web-[0-9]+'"));
  EXPECT_FALSE(holds("ka.target.name regex 'web'"));
  EXPECT_TRUE(holds("ka.target.name regex '.*eb.*'"));
}

TEST_F(Conditions, AMissingFieldMakesEveryComparisonFalse) {
  EXPECT_FALSE(holds("ka.target.subresource = exec"));
  EXPECT_FALSE(holds("ka.target.subresource != exec"));
  EXPECT_TRUE(holds("not ka.target.subresource = exec"));
  EXPECT_FALSE(holds("ka.target.subresource in (exec, attach)"));
  EXPECT_FALSE(holds("ka.target.subresource exists"));
  EXPECT_TRUE(holds("not ka.target.subresource exists"));
  EXPECT_TRUE(holds("ka.verb exists"));
}

TEST_F(Conditions, SetsAndLists) {
  EXPECT_TRUE(holds("ka.verb in (create, update, patch)"));
  EXPECT_FALSE(holds("ka.verb in (get)"));
  EXPECT_TRUE(holds("ka.verb intersects (create)"));
  // A list field under `in` is a subset test, under `intersects` an overlap test.
  EXPECT_TRUE(holds("ka.user.groups in (dev, ops, qa)"));
  EXPECT_FALSE(holds("ka.user.groups in (dev)"));
  EXPECT_TRUE(holds("ka.user.groups intersects (dev)"));
  EXPECT_FALSE(holds("ka.user.groups intersects (qa)"));
  EXPECT_TRUE(holds("ka.req.pod.containers.image.repository in (nginx, redis)"));
  // Other operators hold when one value does; an index picks one value.
  EXPECT_TRUE(holds("ka.user.groups contains op"));
  EXPECT_TRUE(holds("ka.req.pod.containers.image[1] = redis"));
  EXPECT_FALSE(holds("ka.req.pod.containers.image[0] = redis"));
  EXPECT_TRUE(holds("ka.req.pod.volumes.hostpath pmatch (/var/run)"));
  EXPECT_FALSE(holds("ka.req.pod.volumes.hostpath pmatch (/var/ru)"));
  EXPECT_TRUE(holds("ka.req.pod.volumes.hostpath pmatch (/var/*/docker.sock)"));
  EXPECT_FALSE(holds("ka.verb in ()"));
}

TEST_F(Conditions, TransformersAndFieldValues) {
  EXPECT_TRUE(holds("tolower(ka.user.name) endswith :admin"));
  EXPECT_TRUE(holds("toupper(ka.verb) = CREATE"));
  EXPECT_TRUE(holds("basename(ka.uri) = pods"));
  EXPECT_TRUE(holds("len(ka.user.groups) = 2"));
  EXPECT_TRUE(holds("len(ka.verb) > 5"));
  EXPECT_TRUE(holds("b64(jevt.value[/annotations/note]) = hello"));
  EXPECT_TRUE(holds("ka.target.namespace = val(ka.target.namespace)"));
  EXPECT_FALSE(holds("ka.target.namespace = val(ka.verb)"));
  EXPECT_FALSE(holds("ka.verb = val(ka.target.subresource)"));
}

TEST_F(Conditions, Modifiers) {
  EXPECT_TRUE(holds("ka.target.name startswith anyof (x, web)"));
  EXPECT_FALSE(holds("ka.target.name startswith allof (x, web)"));
  EXPECT_TRUE(holds("ka.target.name startswith allof (w, web)"));
  EXPECT_TRUE(holds("ka.target.name startswith oneof (x, web)"));
  EXPECT_FALSE(holds("ka.target.name startswith oneof (w, web)"));
}

TEST_F(Conditions, BooleanStructure) {
  EXPECT_TRUE(holds("ka.verb = create and (ka.target.resource = pods or ka.verb = x)"));
  EXPECT_FALSE(holds("ka.verb = create and not ka.target.resource = pods"));
  EXPECT_TRUE(holds("not (ka.verb = get or ka.verb = list)"));
}

TEST_F(Conditions, CompileErrorsNameTheProblem) {
  EXPECT_NE(error("ka.nope = 1").find("unknown field 'ka.nope'"), std::string::npos);
  EXPECT_NE(error("ka.req.pod.containers.image[x] = a").find("index"), std::string::npos);
  EXPECT_NE(error("ka.uri.param = a").find("requires an argument"), std::string::npos);
  EXPECT_NE(error("ka.verb regex '('").find("invalid regex"), std::string::npos);
  EXPECT_NE(error("ka.verb bcontains zz").find("hex"), std::string::npos);
  EXPECT_NE(error("ka.verb in some_list").find("not a defined list"), std::string::npos);
  EXPECT_NE(error("len(ka.verb) contains 1").find("numeric"), std::string::npos);
  EXPECT_NE(error("len(ka.verb) = abc").find("not a number"), std::string::npos);
  EXPECT_NE(error("join(ka.verb) = a").find("not supported"), std::string::npos);
  EXPECT_NE(error("some_macro").find("undefined macro"), std::string::npos);
}

TEST_F(Conditions, EachDistinctFieldIsExtractedOncePerEvent) {
  ASSERT_TRUE(holds("ka.verb = create or ka.verb = x or tolower(ka.verb) = create"));
  EXPECT_EQ(slots_.size(), 2U);  // ka.verb and tolower(ka.verb)
}

// The syscall table's typed fields: numbers, addresses and networks, any-value lists
// (ancestors, either end of a socket), dotted arguments, and fields no sensor fills.
class SyscallConditions : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parent = std::make_shared<events::host::Process>();
    parent->pid = 10;
    parent->name = "sshd";
    auto process = std::make_shared<events::host::Process>();
    process->pid = 42;
    process->name = "ssh";
    process->uid = 0;
    process->parent = parent;
    host_.type = "connect";
    host_.res = -115;  // EINPROGRESS
    host_.process = process;
    host_.args = {{"fd", "3"}, {"tuple", "10.0.0.2:40000->203.0.113.7:22"}};
    host_.fd.type = events::host::Fd::Type::Ipv4;
    host_.fd.cip = "10.0.0.2";
    host_.fd.cport = 40000;
    host_.fd.sip = "203.0.113.7";
    host_.fd.sport = 22;
    event_.source = events::Source::Syscall;
    event_.payload = &host_;
  }

  bool holds(std::string_view condition) {
    auto node = parseCondition(condition);
    EXPECT_TRUE(node.has_value()) << condition;
    if (!node) return false;
    auto filter = compileFilter(**node, *events::fieldTable(events::Source::Syscall), slots_);
    EXPECT_TRUE(filter.has_value()) << condition << ": " << filter.error().message;
    if (!filter) return false;
    EvalContext context;
    context.reset(event_, slots_);
    return (*filter)->eval(context);
  }

  CompileError error(std::string_view condition) {
    auto node = parseCondition(condition);
    EXPECT_TRUE(node.has_value()) << condition;
    auto filter = compileFilter(**node, *events::fieldTable(events::Source::Syscall), slots_);
    return filter ? CompileError{} : filter.error();
  }

  events::host::HostEvent host_;
  events::Event event_;
  FieldSlots slots_;
};

TEST_F(SyscallConditions, NumbersAndResults) {
  EXPECT_TRUE(holds("user.uid = 0"));
  EXPECT_TRUE(holds("proc.pid > 41 and proc.pid <= 42"));
  EXPECT_TRUE(holds("evt.rawres < 0 and evt.res = EINPROGRESS"));
  EXPECT_TRUE(holds("fd.sport in (22, 2222)"));
  EXPECT_TRUE(holds("fd.sport = 0x16"));
  EXPECT_FALSE(holds("user.loginuid = -1"));  // missing: unknown to the sensor
  EXPECT_NE(error("user.uid = root").message.find("not a number"), std::string::npos);
}

TEST_F(SyscallConditions, AddressesAndNetworks) {
  EXPECT_TRUE(holds("fd.sip = 203.0.113.7"));
  EXPECT_TRUE(holds("fd.sip = \"203.0.113.0/24\""));
  EXPECT_FALSE(holds("fd.sip = 203.0.113.8"));
  EXPECT_TRUE(holds("fd.snet in (\"10.0.0.0/8\", \"203.0.0.0/8\")"));
  EXPECT_FALSE(holds("fd.snet in (\"10.0.0.0/8\", \"192.168.0.0/16\")"));
  EXPECT_TRUE(holds("fd.cnet = \"10.0.0.0/8\""));
  EXPECT_FALSE(holds("fd.sip = \"::1\""));  // another family
  EXPECT_NE(error("fd.sip = nowhere").message.find("not an IP address"), std::string::npos);
  EXPECT_NE(error("fd.sip contains 203").message.find("not supported"), std::string::npos);
}

TEST_F(SyscallConditions, AnyValueFields) {
  // fd.ip and fd.net: either end; `!=` means neither.
  EXPECT_TRUE(holds("fd.ip = 10.0.0.2"));
  EXPECT_TRUE(holds("fd.ip = 203.0.113.7"));
  EXPECT_TRUE(holds("fd.ip in (203.0.113.7)"));  // one end is enough for `in`
  EXPECT_FALSE(holds("fd.ip != 10.0.0.2"));
  EXPECT_TRUE(holds("fd.net != \"127.0.0.0/8\""));
  EXPECT_FALSE(holds("fd.net != \"10.0.0.0/8\""));
  EXPECT_TRUE(holds("fd.port = 22"));
  // proc.aname: any ancestor; [0] is the process itself.
  EXPECT_TRUE(holds("proc.aname = sshd"));
  EXPECT_TRUE(holds("proc.aname in (init, sshd)"));
  EXPECT_FALSE(holds("proc.aname = ssh"));
  EXPECT_TRUE(holds("proc.aname[0] = ssh"));
  // evt.dir: one event is the whole call.
  EXPECT_TRUE(holds("evt.dir = < and evt.dir = >"));
}

TEST_F(SyscallConditions, DottedArgumentsAndUnsupportedFields) {
  EXPECT_TRUE(holds("evt.arg.fd = 3"));
  EXPECT_TRUE(holds("evt.arg[tuple] contains 203.0.113.7"));
  EXPECT_FALSE(holds("evt.arg.nothing exists"));
  EXPECT_NE(error("evt.arg.fd[1] = 3").message.find("two arguments"), std::string::npos);
  const CompileError unsupported = error("fd.sip.name = example.com");
  EXPECT_EQ(unsupported.unsupported_field, "fd.sip.name");
  EXPECT_TRUE(error("fd.nope = 1").unsupported_field.empty());
}

}  // namespace
}  // namespace bulwark::rules
