// The Dockerfile reader: directives, continuations, comments, heredocs, exec form, stages,
// CRLF, variables; and the shell splitter the RUN probes use.
#include <gtest/gtest.h>

#include "checks/dockerfile/dockerfile.h"
#include "checks/dockerfile/shell.h"

namespace {

using namespace bulwark::checks::dockerfile;

Dockerfile parse(std::string_view text) {
  bulwark::core::Diagnostics diagnostics;
  auto file = parseDockerfile(text, diagnostics);
  EXPECT_TRUE(file.has_value());
  return file ? *file : Dockerfile{};
}

TEST(DockerfileParser, JoinsContinuationsAndSkipsCommentsInside) {
  const auto file = parse(
      "FROM alpine:3.19\n"
      "# a comment\n"
      "RUN apk add \\\n"
      "    # dropped comment\n"
      "\n"
      "    curl \\\n"
      "    git\n"
      "USER app\n");
  ASSERT_EQ(file.instructions.size(), 3U);
  EXPECT_EQ(file.instructions[1].keyword, "RUN");
  EXPECT_EQ(file.instructions[1].args, "apk add     curl     git");
  EXPECT_EQ(file.instructions[1].line, 3U);
  EXPECT_EQ(file.instructions[1].end_line, 7U);
  EXPECT_EQ(file.instructions[2].line, 8U);
}

TEST(DockerfileParser, EscapeDirectiveChangesTheContinuationCharacter) {
  const auto file = parse(
      "# escape=`\n"
      "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
      "WORKDIR c:\\app\n"
      "RUN dir `\n"
      "    c:\\\n");
  ASSERT_EQ(file.escape, '`');
  ASSERT_EQ(file.instructions.size(), 3U);
  EXPECT_EQ(file.instructions[1].args, "c:\\app");
  EXPECT_EQ(file.instructions[2].args, "dir     c:\\");
}

TEST(DockerfileParser, DirectivesOnlyAtTheTop) {
  const auto file = parse("FROM scratch\n# escape=`\nRUN a \\\n b\n");
  EXPECT_EQ(file.escape, '\\');
  ASSERT_EQ(file.instructions.size(), 2U);
  EXPECT_EQ(file.instructions[1].args, "a  b");
}

TEST(DockerfileParser, ReadsHeredocs) {
  const auto file = parse(
      "FROM debian:12\n"
      "RUN <<EOF\n"
      "apt-get update\n"
      "apt-get install -y curl\n"
      "EOF\n"
      "COPY <<-\"CONF\" /etc/app.conf\n"
      "\tkey=value\n"
      "\tCONF\n"
      "USER app\n");
  ASSERT_EQ(file.instructions.size(), 4U);
  ASSERT_EQ(file.instructions[1].heredocs.size(), 1U);
  EXPECT_EQ(file.instructions[1].heredocs[0].body, "apt-get update\napt-get install -y curl");
  EXPECT_EQ(file.instructions[1].end_line, 5U);
  EXPECT_NE(file.instructions[1].script().find("apt-get install -y curl"), std::string::npos);
  ASSERT_EQ(file.instructions[2].heredocs.size(), 1U);
  EXPECT_EQ(file.instructions[2].heredocs[0].body, "key=value");
  EXPECT_EQ(file.instructions[3].keyword, "USER");
  EXPECT_EQ(file.instructions[3].line, 9U);
}

TEST(DockerfileParser, UnterminatedHeredocIsADiagnostic) {
  bulwark::core::Diagnostics diagnostics;
  auto file = parseDockerfile("FROM a:1\nRUN <<EOF\necho hi\n", diagnostics);
  ASSERT_TRUE(file.has_value());
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "dockerfile.unterminated-heredoc");
}

TEST(DockerfileParser, ExecFormAndFlags) {
  const auto file = parse(
      "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
      "RUN --mount=type=cache,target=/root/.cache go build ./...\n"
      "CMD [\"/app\", \"--port\", \"8080\"]\n"
      "ENTRYPOINT [not json\n");
  ASSERT_EQ(file.instructions.size(), 4U);
  EXPECT_EQ(file.instructions[0].flags.size(), 1U);
  EXPECT_EQ(file.instructions[0].args, "golang:1.22 AS build");
  ASSERT_NE(file.instructions[1].flag("mount"), nullptr);
  EXPECT_EQ(file.instructions[1].flag("mount")->value, "type=cache,target=/root/.cache");
  EXPECT_TRUE(file.instructions[2].exec_form);
  EXPECT_EQ(file.instructions[2].exec_args, (std::vector<std::string>{"/app", "--port", "8080"}));
  EXPECT_FALSE(file.instructions[3].exec_form);
}

TEST(DockerfileParser, MultiStageChains) {
  const auto file = parse(
      "ARG BASE=debian:12\n"
      "FROM ${BASE} AS Base\n"
      "USER root\n"
      "FROM golang:1.22 AS build\n"
      "USER builder\n"
      "FROM base\n"
      "HEALTHCHECK NONE\n");
  ASSERT_EQ(file.stages.size(), 3U);
  EXPECT_EQ(file.instructions[0].stage, -1);
  EXPECT_EQ(file.stages[0].name, "Base");
  EXPECT_EQ(file.stages[2].base_stage, 0);  // names compare case-insensitively
  std::vector<std::string> chain;
  for (const auto* i : file.finalChain()) chain.push_back(i->keyword + " " + i->args);
  EXPECT_EQ(chain, (std::vector<std::string>{"FROM ${BASE} AS Base", "USER root", "FROM base",
                                             "HEALTHCHECK NONE"}));
}

TEST(DockerfileParser, AcceptsCrlfAndBom) {
  const auto file = parse(
      "\xEF\xBB\xBF"
      "FROM alpine:3\r\nRUN echo a \\\r\n  b\r\nUSER 1000\r\n");
  ASSERT_EQ(file.instructions.size(), 3U);
  EXPECT_EQ(file.instructions[1].args, "echo a   b");
  EXPECT_EQ(file.instructions[2].args, "1000");
}

TEST(DockerfileParser, RejectsWhatIsNotADockerfile) {
  bulwark::core::Diagnostics diagnostics;
  EXPECT_FALSE(parseDockerfile("", diagnostics).has_value());
  EXPECT_FALSE(parseDockerfile("# only a comment\n", diagnostics).has_value());
  EXPECT_FALSE(parseDockerfile(std::string_view("FROM a\0b", 8), diagnostics).has_value());
}

TEST(DockerfileParser, EnvAndArgKeyValues) {
  const auto file = parse(
      "FROM a:1\n"
      "ENV A=1 B=\"two words\" C='x y'\n"
      "ENV LEGACY value with spaces\n"
      "ARG NAME\n"
      "ARG CHECKOV STYLE\n");
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(keyValues(file.instructions[1]), (Pairs{{"A", "1"}, {"B", "two words"}, {"C", "x y"}}));
  EXPECT_EQ(keyValues(file.instructions[2]), (Pairs{{"LEGACY", "value with spaces"}}));
  EXPECT_EQ(keyValues(file.instructions[3]), (Pairs{{"NAME", ""}}));
  EXPECT_EQ(keyValues(file.instructions[4]), (Pairs{{"CHECKOV", "STYLE"}}));
}

TEST(DockerfileParser, ExpandsVariables) {
  Variables vars;
  vars.set("HOME", "/home/app");
  bool unresolved = false;
  EXPECT_EQ(expand("$HOME/bin:${HOME}/x:${MISSING:-dflt}", vars, unresolved),
            "/home/app/bin:/home/app/x:dflt");
  EXPECT_FALSE(unresolved);
  EXPECT_EQ(expand("\\$HOME ${NOPE}", vars, unresolved), "$HOME ${NOPE}");
  EXPECT_TRUE(unresolved);
}

TEST(DockerfileHistory, RebuildsInstructions) {
  std::vector<bulwark::model::HistoryEntry> history(7);
  history[0].created_by = "/bin/sh -c #(nop) ADD file:abc123 in / ";
  history[1].created_by = "/bin/sh -c #(nop)  CMD [\"bash\"]";
  history[2].created_by = "/bin/sh -c apt-get update";
  history[3].created_by = "|2 TOKEN=abc VERSION=1 /bin/sh -c make install";
  history[4].created_by = "RUN |1 PIP_TRUSTED_HOST=pypi.org /bin/sh -c pip install x # buildkit";
  history[5].created_by = "USER app";
  history[6].created_by = "EXPOSE map[22/tcp:{} 80/tcp:{}]";
  const auto file = fromHistory(history);
  ASSERT_EQ(file.instructions.size(), 7U);
  EXPECT_EQ(file.instructions[0].keyword, "ADD");
  EXPECT_EQ(file.instructions[2].keyword, "RUN");
  EXPECT_EQ(file.instructions[2].args, "apt-get update");
  EXPECT_EQ(file.instructions[3].args, "make install");
  ASSERT_EQ(file.instructions[3].build_args.size(), 2U);
  EXPECT_EQ(file.instructions[3].build_args[0].first, "TOKEN");
  EXPECT_EQ(file.instructions[4].args, "pip install x");
  EXPECT_EQ(file.instructions[4].history, 4U);
  EXPECT_EQ(file.instructions[5].keyword, "USER");
  EXPECT_EQ(file.instructions[6].args, "22/tcp 80/tcp");
}

TEST(Shell, SplitsCommandsPipesAndWrappers) {
  const auto commands = splitCommands(
      "apt-get update && DEBIAN_FRONTEND=noninteractive sudo -u root apt-get install -y curl; "
      "curl -fsSL https://x | bash -s -- --flag 2>&1 >/dev/null || echo \"a | b && c\"; "
      "sh -c \"$(wget -qO- https://y)\"");
  std::vector<std::string> programs;
  for (const auto& c : commands) programs.push_back(c.program());
  EXPECT_EQ(programs,
            (std::vector<std::string>{"wget", "apt-get", "apt-get", "curl", "bash", "echo", "sh"}));
  EXPECT_EQ(commands[2].assignments, (std::vector<std::string>{"DEBIAN_FRONTEND=noninteractive"}));
  EXPECT_EQ(commands[2].wrappers, (std::vector<std::string>{"sudo"}));
  EXPECT_EQ(commands[2].argv, (std::vector<std::string>{"apt-get", "install", "-y", "curl"}));
  EXPECT_EQ(commands[3].pipe_to, "bash");
  EXPECT_EQ(commands[4].argv, (std::vector<std::string>{"bash", "-s", "--", "--flag"}));
  EXPECT_EQ(commands[5].argv, (std::vector<std::string>{"echo", "a | b && c"}));
}

TEST(Shell, ScansAssignmentsLeniently) {
  const auto found =
      scanAssignments("export A=1 && B=\"two\" run; echo C; X_D='q' cmd; LOL='1\\'' E='0' go");
  std::vector<std::string> names;
  for (const auto& a : found) names.push_back(a.name + "=" + a.value);
  EXPECT_EQ(names, (std::vector<std::string>{"A=1", "B=two", "X_D=q", "LOL=1\\ E=0 go", "E=0"}));
}

}  // namespace
