#include "checks/dockerfile/dockerfile.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace bulwark::checks::dockerfile {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trimLeft(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  return text;
}

std::string_view trimRight(std::string_view text) {
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  core::forEachLine(text, [&](std::string_view line, std::size_t) { lines.push_back(line); });
  return lines;
}

bool isComment(std::string_view line) {
  const auto t = trimLeft(line);
  return !t.empty() && t.front() == '#';
}

bool isBlank(std::string_view line) { return trimLeft(line).empty(); }

// A line continues when it ends with the escape character (trailing spaces allowed).
bool continues(std::string_view line, char escape, std::string_view& without) {
  const auto t = trimRight(line);
  if (t.empty() || t.back() != escape) return false;
  without = t.substr(0, t.size() - 1);
  return true;
}

bool takesFlags(std::string_view keyword) {
  return keyword == "FROM" || keyword == "RUN" || keyword == "COPY" || keyword == "ADD" ||
         keyword == "HEALTHCHECK";
}

bool takesExecForm(std::string_view keyword) {
  return keyword == "RUN" || keyword == "CMD" || keyword == "ENTRYPOINT" || keyword == "SHELL" ||
         keyword == "COPY" || keyword == "ADD" || keyword == "VOLUME";
}

bool takesHeredocs(std::string_view keyword) {
  return keyword == "RUN" || keyword == "COPY" || keyword == "ADD";
}

// `--name=value` words at the start of `args`.
void takeFlags(Instruction& instruction) {
  std::string_view rest = trimLeft(instruction.args);
  while (rest.size() > 2 && rest.substr(0, 2) == "--" && !isSpace(rest[2])) {
    std::size_t end = 0;
    while (end < rest.size() && !isSpace(rest[end])) ++end;
    const std::string_view word = rest.substr(2, end - 2);
    const auto eq = word.find('=');
    Flag flag;
    flag.name = std::string(word.substr(0, eq));
    if (eq != std::string_view::npos) flag.value = std::string(word.substr(eq + 1));
    instruction.flags.push_back(std::move(flag));
    rest = trimLeft(rest.substr(end));
  }
  instruction.args = std::string(rest);
}

void takeExecForm(Instruction& instruction) {
  const std::string_view args = core::trim(instruction.args);
  if (args.empty() || args.front() != '[') return;
  const auto json = nlohmann::json::parse(args, nullptr, false);
  if (!json.is_array()) return;
  std::vector<std::string> items;
  for (const auto& item : json) {
    if (!item.is_string()) return;
    items.push_back(item.get<std::string>());
  }
  instruction.exec_form = true;
  instruction.exec_args = std::move(items);
}

struct HeredocStart {
  std::string name;
  bool strip_tabs = false;
};

// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` (not `<<<`), outside quotes.
std::vector<HeredocStart> heredocStarts(std::string_view args) {
  std::vector<HeredocStart> starts;
  char quote = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const char c = args[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (c != '<' || i + 1 >= args.size() || args[i + 1] != '<') continue;
    if (i + 2 < args.size() && args[i + 2] == '<') {
      i += 2;
      continue;
    }
    std::size_t j = i + 2;
    HeredocStart start;
    if (j < args.size() && args[j] == '-') {
      start.strip_tabs = true;
      ++j;
    }
    char word_quote = 0;
    if (j < args.size() && (args[j] == '"' || args[j] == '\'')) word_quote = args[j++];
    const std::size_t name_begin = j;
    while (j < args.size() && (std::isalnum(static_cast<unsigned char>(args[j])) != 0 ||
                               args[j] == '_' || args[j] == '-' || args[j] == '.')) {
      ++j;
    }
    if (j == name_begin) continue;
    start.name = std::string(args.substr(name_begin, j - name_begin));
    if (word_quote != 0 && j < args.size() && args[j] == word_quote) ++j;
    starts.push_back(std::move(start));
    i = j - 1;
  }
  return starts;
}

std::string lowerName(std::string_view text) { return core::asciiLower(text); }

void buildStages(Dockerfile& file, core::Diagnostics& diagnostics, std::string_view name) {
  int stage = -1;
  for (std::size_t i = 0; i < file.instructions.size(); ++i) {
    Instruction& instruction = file.instructions[i];
    if (instruction.keyword == "FROM") {
      const auto words = core::shellWords(instruction.args, file.escape);
      Stage next;
      next.from = i;
      if (!words.empty()) next.base = words[0];
      if (words.size() >= 3 && upper(words[1]) == "AS") next.name = words[2];
      if (words.empty() || (words.size() != 1 && words.size() != 3)) {
        diagnostics.add("dockerfile.malformed-from", fmt::format("{}:{}", name, instruction.line),
                        "FROM takes an image and an optional `AS name`");
      }
      const std::string base = lowerName(next.base);
      for (std::size_t s = 0; s < file.stages.size(); ++s) {
        if (!file.stages[s].name.empty() && lowerName(file.stages[s].name) == base) {
          next.base_stage = static_cast<int>(s);
        }
      }
      file.stages.push_back(std::move(next));
      stage = static_cast<int>(file.stages.size()) - 1;
    }
    instruction.stage = stage;
  }
}

}  // namespace

const Flag* Instruction::flag(std::string_view name) const {
  for (const auto& f : flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string Instruction::script() const {
  std::string out;
  if (exec_form) {
    for (const auto& arg : exec_args) {
      if (!out.empty()) out += ' ';
      out += arg;
    }
  } else {
    out = args;
  }
  for (const auto& heredoc : heredocs) {
    out += '\n';
    out += heredoc.body;
  }
  return out;
}

std::vector<const Instruction*> Dockerfile::finalChain() const {
  std::vector<const Instruction*> chain;
  if (stages.empty()) {
    for (const auto& instruction : instructions) chain.push_back(&instruction);
    return chain;
  }
  std::vector<int> order;
  int stage = static_cast<int>(stages.size()) - 1;
  // Bounded: a stage only builds on earlier ones.
  while (stage >= 0 && order.size() <= stages.size()) {
    order.push_back(stage);
    stage = stages[static_cast<std::size_t>(stage)].base_stage;
  }
  std::reverse(order.begin(), order.end());
  for (const int s : order) {
    for (const auto& instruction : instructions) {
      if (instruction.stage == s) chain.push_back(&instruction);
    }
  }
  return chain;
}

core::Result<Dockerfile> parseDockerfile(std::string_view text, core::Diagnostics& diagnostics,
                                         std::string_view name) {
  if (text.size() > kMaxDockerfileBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", name,
                      kMaxDockerfileBytes);
  }
  if (text.find('\0') != std::string_view::npos) {
    return core::fail(core::ErrorCode::Input, "{}: binary data, not a Dockerfile", name);
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  Dockerfile file;
  const auto lines = splitLines(text);
  std::size_t i = 0;
  // Parser directives: only at the very top.
  for (; i < lines.size(); ++i) {
    const auto t = core::trim(lines[i]);
    if (t.empty() || t.front() != '#') break;
    const auto body = core::trim(t.substr(1));
    const auto eq = body.find('=');
    if (eq == std::string_view::npos) break;
    const std::string key = core::asciiLower(core::trim(body.substr(0, eq)));
    const std::string value(core::trim(body.substr(eq + 1)));
    if (key != "syntax" && key != "escape" && key != "check") break;
    if (key == "escape") {
      if (value == "`" || value == "\\") {
        file.escape = value[0];
      } else {
        diagnostics.add("dockerfile.bad-escape", fmt::format("{}:{}", name, i + 1),
                        fmt::format("escape must be ` or \\, not \"{}\"", value));
      }
    }
    file.directives.emplace_back(key, value);
  }
  while (i < lines.size()) {
    if (isBlank(lines[i]) || isComment(lines[i])) {
      ++i;
      continue;
    }
    if (file.instructions.size() >= kMaxInstructions) {
      return core::fail(core::ErrorCode::Limit, "{}: more than {} instructions", name,
                        kMaxInstructions);
    }
    Instruction instruction;
    instruction.line = i + 1;
    std::string joined;
    std::string_view current = lines[i];
    std::string_view without;
    while (continues(current, file.escape, without)) {
      joined.append(without);
      ++i;
      while (i < lines.size() && (isComment(lines[i]) || isBlank(lines[i]))) ++i;
      if (i >= lines.size()) {
        current = {};
        break;
      }
      current = lines[i];
    }
    joined.append(current);
    instruction.end_line = std::min(i, lines.size() - 1) + 1;
    ++i;
    const std::string_view rest = trimLeft(joined);
    std::size_t end = 0;
    while (end < rest.size() && !isSpace(rest[end])) ++end;
    instruction.keyword = upper(rest.substr(0, end));
    instruction.args = std::string(trimRight(trimLeft(rest.substr(end))));
    if (takesFlags(instruction.keyword)) takeFlags(instruction);
    if (takesExecForm(instruction.keyword)) takeExecForm(instruction);
    if (takesHeredocs(instruction.keyword) && !instruction.exec_form) {
      for (auto& start : heredocStarts(instruction.args)) {
        Heredoc heredoc;
        heredoc.name = start.name;
        heredoc.strip_tabs = start.strip_tabs;
        bool closed = false;
        bool first = true;
        for (; i < lines.size(); ++i) {
          std::string_view line = lines[i];
          if (start.strip_tabs) {
            while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
          }
          if (line == start.name) {
            closed = true;
            ++i;
            break;
          }
          if (!first) heredoc.body += '\n';
          first = false;
          heredoc.body.append(line);
        }
        if (!closed) {
          diagnostics.add("dockerfile.unterminated-heredoc",
                          fmt::format("{}:{}", name, instruction.line),
                          fmt::format("heredoc {} has no terminator line", start.name));
        }
        instruction.heredocs.push_back(std::move(heredoc));
      }
      instruction.end_line = std::max(instruction.end_line, i);
    }
    static constexpr std::string_view kKnown[] = {
        "ADD",    "ARG",        "CMD",   "COPY",       "ENTRYPOINT", "ENV",
        "EXPOSE", "FROM",       "LABEL", "MAINTAINER", "ONBUILD",    "RUN",
        "SHELL",  "STOPSIGNAL", "USER",  "VOLUME",     "WORKDIR",    "HEALTHCHECK"};
    if (std::find(std::begin(kKnown), std::end(kKnown), instruction.keyword) == std::end(kKnown)) {
      diagnostics.add(
          "dockerfile.unknown-instruction", fmt::format("{}:{}", name, instruction.line),
          fmt::format("unknown instruction \"{}\"", core::printable(instruction.keyword)));
    }
    file.instructions.push_back(std::move(instruction));
  }
  if (file.instructions.empty()) {
    return core::fail(core::ErrorCode::Input, "{}: no instructions", name);
  }
  buildStages(file, diagnostics, name);
  if (file.stages.empty()) {
    diagnostics.add("dockerfile.no-from", std::string(name), "no FROM instruction");
  }
  return file;
}

std::vector<std::pair<std::string, std::string>> keyValues(const Instruction& instruction,
                                                           char escape) {
  std::vector<std::pair<std::string, std::string>> pairs;
  const auto words = core::shellWords(instruction.args, escape);
  if (words.empty()) return pairs;
  if (words[0].find('=') == std::string::npos) {
    if (words.size() == 1) {
      pairs.emplace_back(words[0], "");
      return pairs;
    }
    if (instruction.keyword == "ENV" ||
        (words.size() == 2 && words[1].find('=') == std::string::npos)) {
      // Legacy `ENV KEY value with spaces`: the rest of the line, quotes removed per word.
      std::string value;
      const std::string_view raw = trimLeft(instruction.args);
      std::size_t key_end = 0;
      while (key_end < raw.size() && !isSpace(raw[key_end])) ++key_end;
      for (const auto& w : core::shellWords(trimLeft(raw.substr(key_end)), escape)) {
        if (!value.empty()) value += ' ';
        value += w;
      }
      pairs.emplace_back(words[0], value);
      return pairs;
    }
  }
  for (const auto& word : words) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) {
      pairs.emplace_back(word, "");
    } else {
      pairs.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
  }
  return pairs;
}

const std::string* Variables::find(std::string_view name) const {
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

void Variables::set(std::string name, std::string value) {
  values.emplace_back(std::move(name), std::move(value));
}

std::string expand(std::string_view text, const Variables& vars, bool& unresolved, char escape) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == escape && i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (c != '$' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    std::string name;
    std::string modifier;
    std::string word;
    if (text[i + 1] == '{') {
      const auto close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        out += c;
        continue;
      }
      const std::string_view inner = text.substr(i + 2, close - i - 2);
      const auto colon = inner.find(':');
      name = std::string(inner.substr(0, colon));
      if (colon != std::string_view::npos && colon + 1 < inner.size()) {
        modifier = std::string(inner.substr(colon, 2));
        word = std::string(inner.substr(colon + 2));
      }
      i = close;
    } else {
      std::size_t j = i + 1;
      while (j < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[j])) != 0 || text[j] == '_')) {
        ++j;
      }
      if (j == i + 1) {
        out += c;
        continue;
      }
      name = std::string(text.substr(i + 1, j - i - 1));
      i = j - 1;
    }
    const std::string* value = vars.find(name);
    if (modifier == ":-") {
      out += (value != nullptr && !value->empty()) ? *value : word;
    } else if (modifier == ":+") {
      if (value == nullptr)
        unresolved = true;
      else if (!value->empty())
        out += word;
    } else if (value != nullptr) {
      out += *value;
    } else {
      unresolved = true;
      out += "${" + name + "}";
    }
  }
  return out;
}

}  // namespace bulwark::checks::dockerfile
