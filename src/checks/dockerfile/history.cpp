// Instructions from an image's history. What builders write in `created_by`:
//   legacy builder  "/bin/sh -c #(nop)  USER app", "/bin/sh -c apt-get update",
//                   "|2 A=1 B=2 /bin/sh -c make"
//   BuildKit        "RUN /bin/sh -c apt-get update # buildkit", "RUN |1 A=1 /bin/sh -c make",
//                   "USER app", "EXPOSE map[22/tcp:{}]", "HEALTHCHECK &{[\"CMD\" …] …}"
#include <cctype>

#include "checks/dockerfile/dockerfile.h"
#include "core/text.h"

namespace bulwark::checks::dockerfile {

namespace {

constexpr std::string_view kKeywords[] = {"ADD",     "ARG",     "CMD",        "COPY",  "ENTRYPOINT",
                                          "ENV",     "EXPOSE",  "FROM",       "LABEL", "MAINTAINER",
                                          "ONBUILD", "RUN",     "SHELL",      "USER",  "STOPSIGNAL",
                                          "VOLUME",  "WORKDIR", "HEALTHCHECK"};

bool isKeyword(std::string_view word) {
  for (const auto keyword : kKeywords) {
    if (keyword == word) return true;
  }
  return false;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string_view trimmed(std::string_view text) { return core::trim(text); }

// `|2 A=1 B=2 rest` → build args and rest. Values with spaces cannot be told apart from the
// next pair; Docker writes them unquoted, so each pair is one word.
std::string_view takeBuildArgs(std::string_view text, Instruction& instruction) {
  text = trimmed(text);
  if (text.empty() || text.front() != '|') return text;
  std::size_t i = 1;
  std::size_t count = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
    count = count * 10 + static_cast<std::size_t>(text[i] - '0');
    if (count > 10'000) return text;
    ++i;
  }
  text.remove_prefix(i);
  for (std::size_t n = 0; n < count; ++n) {
    text = trimmed(text);
    const auto end = text.find_first_of(" \t");
    const std::string_view pair = text.substr(0, end);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) break;
    instruction.build_args.emplace_back(std::string(pair.substr(0, eq)),
                                        std::string(pair.substr(eq + 1)));
    if (end == std::string_view::npos) return {};
    text.remove_prefix(end);
  }
  return trimmed(text);
}

// "/bin/sh -c cmd" → "cmd"; other shells and exec forms stay as written.
std::string_view stripShell(std::string_view text) {
  for (const std::string_view shell : {"/bin/sh -c ", "/bin/bash -c ", "cmd /S /C "}) {
    if (startsWith(text, shell)) return trimmed(text.substr(shell.size()));
  }
  return text;
}

// "map[22/tcp:{} 80/tcp:{}]" → "22/tcp 80/tcp".
std::string exposeArgs(std::string_view text) {
  if (!startsWith(text, "map[")) return std::string(text);
  text.remove_prefix(4);
  if (!text.empty() && text.back() == ']') text.remove_suffix(1);
  std::string out;
  for (auto word : core::split(text, ' ')) {
    word = trimmed(word);
    if (word.size() >= 3 && word.substr(word.size() - 3) == ":{}") word.remove_suffix(3);
    if (word.empty()) continue;
    if (!out.empty()) out += ' ';
    out.append(word);
  }
  return out;
}

}  // namespace

Dockerfile fromHistory(const std::vector<model::HistoryEntry>& history) {
  Dockerfile file;
  file.from_history = true;
  for (std::size_t index = 0; index < history.size() && index < kMaxInstructions; ++index) {
    std::string_view text = trimmed(history[index].created_by);
    if (text.ends_with("# buildkit")) text = trimmed(text.substr(0, text.size() - 10));
    if (text.empty()) continue;
    Instruction instruction;
    instruction.history = index;
    instruction.stage = 0;
    std::string_view body;
    if (startsWith(text, "/bin/sh -c #(nop)")) {
      body = trimmed(text.substr(17));
    } else if (startsWith(text, "#(nop)")) {
      body = trimmed(text.substr(6));
    } else {
      const auto space = text.find_first_of(" \t");
      const std::string_view first = text.substr(0, space);
      if (isKeyword(first)) {
        body = text;
      } else if (startsWith(text, "/bin/sh -c ") || startsWith(text, "/bin/bash -c ") ||
                 startsWith(text, "|") || startsWith(text, "cmd /S /C ")) {
        instruction.keyword = "RUN";
        instruction.args = std::string(stripShell(takeBuildArgs(text, instruction)));
      } else {
        continue;  // "Imported from -", tool-specific notes
      }
    }
    if (instruction.keyword.empty()) {
      const auto space = body.find_first_of(" \t");
      instruction.keyword = std::string(body.substr(0, space));
      for (char& c : instruction.keyword) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      std::string_view rest =
          space == std::string_view::npos ? std::string_view{} : trimmed(body.substr(space));
      if (instruction.keyword == "RUN") {
        rest = takeBuildArgs(rest, instruction);
        rest = stripShell(rest);
      }
      if (instruction.keyword == "EXPOSE") {
        instruction.args = exposeArgs(rest);
      } else {
        instruction.args = std::string(rest);
      }
    }
    file.instructions.push_back(std::move(instruction));
  }
  return file;
}

}  // namespace bulwark::checks::dockerfile
