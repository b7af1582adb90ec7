#include "checks/dockerfile/shell.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace bulwark::checks::dockerfile {

namespace {

constexpr int kMaxDepth = 8;
constexpr std::size_t kMaxWords = 200'000;

struct Token {
  bool op = false;
  std::string text;
};

bool isNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

bool isAssignment(std::string_view word) {
  if (word.empty() || !isNameStart(word.front())) return false;
  for (std::size_t i = 1; i < word.size(); ++i) {
    if (word[i] == '=') return true;
    if (!isNameChar(word[i])) return false;
  }
  return false;
}

std::string baseName(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The index just past the `)` that closes the `(` at `open`, honouring quotes and nesting;
// text.size() when unclosed.
std::size_t closeParen(std::string_view text, std::size_t open) {
  int depth = 0;
  char quote = 0;
  for (std::size_t j = open; j < text.size(); ++j) {
    const char c = text[j];
    if (quote != 0) {
      if (c == '\\' && quote == '"')
        ++j;
      else if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '\\') {
      ++j;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return j + 1;
    }
  }
  return text.size();
}

class Splitter {
 public:
  Splitter(std::vector<SimpleCommand>& out, int depth) : out_(out), depth_(depth) {}

  void run(std::string_view s) {
    lex(s);
    build();
  }

 private:
  void nested(std::string_view inner) {
    if (depth_ >= kMaxDepth) return;
    Splitter(out_, depth_ + 1).run(inner);
  }

  void flush() {
    if (in_word_) {
      if (skip_next_word_) {
        skip_next_word_ = false;
      } else if (tokens_.size() < kMaxWords) {
        tokens_.push_back({false, word_});
      }
    }
    word_.clear();
    in_word_ = false;
  }

  void op(std::string text) {
    flush();
    if (tokens_.size() < kMaxWords) tokens_.push_back({true, std::move(text)});
  }

  // `$(…)` at s[i]: nested commands are split on their own; the word keeps the text.
  std::size_t substitution(std::string_view s, std::size_t i) {
    const std::size_t end = closeParen(s, i + 1);
    const std::size_t inner_end = end > i + 2 ? end - 1 : i + 2;
    nested(s.substr(i + 2, inner_end > i + 2 ? inner_end - i - 2 : 0));
    word_.append(s.substr(i, end - i));
    in_word_ = true;
    return end;
  }

  void lex(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == ' ' || c == '\t' || c == '\r') {
        flush();
        ++i;
      } else if (c == '\\') {
        if (i + 1 < s.size() && s[i + 1] != '\n') {
          word_ += s[i + 1];
          in_word_ = true;
        }
        i += 2;
      } else if (c == '\'') {
        in_word_ = true;
        const auto end = s.find('\'', i + 1);
        if (end == std::string_view::npos) {
          word_.append(s.substr(i + 1));
          i = s.size();
        } else {
          word_.append(s.substr(i + 1, end - i - 1));
          i = end + 1;
        }
      } else if (c == '"') {
        in_word_ = true;
        ++i;
        while (i < s.size() && s[i] != '"') {
          if (s[i] == '\\' && i + 1 < s.size() &&
              std::string_view("\"\\$`\n").find(s[i + 1]) != std::string_view::npos) {
            if (s[i + 1] != '\n') word_ += s[i + 1];
            i += 2;
          } else if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '(') {
            i = substitution(s, i);
          } else {
            word_ += s[i++];
          }
        }
        ++i;
      } else if (c == '$' && i + 1 < s.size() && s[i + 1] == '(') {
        i = substitution(s, i);
      } else if (c == '`') {
        const auto end = s.find('`', i + 1);
        const std::size_t stop = end == std::string_view::npos ? s.size() : end;
        nested(s.substr(i + 1, stop - i - 1));
        word_.append(s.substr(i, std::min(s.size(), stop + 1) - i));
        in_word_ = true;
        i = stop + 1;
      } else if (c == '#' && !in_word_) {
        const auto end = s.find('\n', i);
        i = end == std::string_view::npos ? s.size() : end;
      } else if (c == '<' || c == '>') {
        bool digits = in_word_ && !word_.empty();
        for (const char d : word_) digits = digits && std::isdigit(static_cast<unsigned char>(d));
        if (digits) {
          word_.clear();
          in_word_ = false;
        } else {
          flush();
        }
        if (c == '<' && i + 1 < s.size() && s[i + 1] == '(') {  // process substitution
          const std::size_t end = closeParen(s, i + 1);
          nested(s.substr(i + 2, end > i + 3 ? end - i - 3 : 0));
          i = end;
          continue;
        }
        std::size_t j = i;
        while (j < s.size() && j - i < 3 &&
               (s[j] == '<' || s[j] == '>' || s[j] == '&' || s[j] == '|')) {
          ++j;
        }
        i = j;
        skip_next_word_ = true;
      } else if (c == '&' || c == '|' || c == ';' || c == '\n' || c == '(' || c == ')') {
        if ((c == '&' || c == '|') && i + 1 < s.size() && s[i + 1] == c) {
          op(std::string(2, c));
          i += 2;
        } else if (c == '&' && i + 1 < s.size() && s[i + 1] == '>') {
          flush();
          i += 2;
          if (i < s.size() && s[i] == '>') ++i;
          skip_next_word_ = true;
        } else if (c == '|' && i + 1 < s.size() && s[i + 1] == '&') {
          op("|");
          i += 2;
        } else {
          op(std::string(1, c));
          ++i;
        }
      } else {
        word_ += c;
        in_word_ = true;
        ++i;
      }
    }
    flush();
  }

  void finish(SimpleCommand& command, bool piped) {
    static const std::set<std::string, std::less<>> kKeywords = {
        "if", "then", "else", "elif", "do", "while", "until", "!", "{"};
    static const std::set<std::string, std::less<>> kEnders = {"fi", "done", "esac", "}"};
    auto& argv = command.argv;
    std::size_t start = 0;
    while (start < argv.size() && kKeywords.count(argv[start]) != 0) ++start;
    argv.erase(argv.begin(), argv.begin() + static_cast<std::ptrdiff_t>(start));
    if (!argv.empty() && (argv[0] == "for" || argv[0] == "case" || argv[0] == "select" ||
                          argv[0] == "function" || kEnders.count(argv[0]) != 0)) {
      argv.clear();
    }
    std::size_t a = 0;
    while (a < argv.size() && isAssignment(argv[a])) command.assignments.push_back(argv[a++]);
    argv.erase(argv.begin(), argv.begin() + static_cast<std::ptrdiff_t>(a));
    for (int round = 0; round < 8 && !argv.empty(); ++round) {
      const std::string program = baseName(argv[0]);
      static const std::set<std::string, std::less<>> kWrappers = {
          "sudo", "env", "nohup", "time", "exec", "command", "nice", "doas"};
      if (kWrappers.count(program) == 0) break;
      command.wrappers.push_back(program);
      std::size_t k = 1;
      while (k < argv.size() && !argv[k].empty() && argv[k][0] == '-') {
        static const std::set<std::string, std::less<>> kWithValue = {"-u", "-g", "-C", "-D", "-h",
                                                                      "-p", "-r", "-t", "-U", "-n"};
        k += kWithValue.count(argv[k]) != 0 ? 2 : 1;
      }
      if (program == "env") {
        while (k < argv.size() && isAssignment(argv[k])) command.assignments.push_back(argv[k++]);
      }
      argv.erase(argv.begin(),
                 argv.begin() + static_cast<std::ptrdiff_t>(std::min(k, argv.size())));
    }
    if (out_.size() >= kMaxCommands) return;
    if (argv.empty() && command.assignments.empty() && command.wrappers.empty()) return;
    if (piped && !last_.empty() && last_.back() < out_.size()) {
      out_[last_.back()].pipe_to = command.program();
    }
    out_.push_back(std::move(command));
    last_.push_back(out_.size() - 1);
  }

  void build() {
    SimpleCommand current;
    bool piped = false;
    bool next_piped = false;
    for (auto& token : tokens_) {
      if (!token.op) {
        current.argv.push_back(std::move(token.text));
        continue;
      }
      next_piped = token.text == "|";
      finish(current, piped);
      current = SimpleCommand{};
      piped = next_piped;
      if (!next_piped) last_.clear();
    }
    finish(current, piped);
  }

  std::vector<SimpleCommand>& out_;
  int depth_;
  std::vector<Token> tokens_;
  std::string word_;
  bool in_word_ = false;
  bool skip_next_word_ = false;
  std::vector<std::size_t> last_;  // commands of the current pipeline
};

}  // namespace

std::string SimpleCommand::program() const { return argv.empty() ? "" : baseName(argv[0]); }

std::vector<SimpleCommand> splitCommands(std::string_view script) {
  std::vector<SimpleCommand> out;
  Splitter(out, 0).run(script);
  return out;
}

std::vector<Assignment> scanAssignments(std::string_view s) {
  std::vector<Assignment> out;
  for (std::size_t p = 0; p < s.size() && out.size() < kMaxCommands; ++p) {
    if (p > 0 && std::string_view(" \t\n;&|").find(s[p - 1]) == std::string_view::npos) continue;
    if (!isNameStart(s[p])) continue;
    std::size_t q = p;
    while (q < s.size() && isNameChar(s[q])) ++q;
    if (q >= s.size() || s[q] != '=') continue;
    Assignment assignment;
    assignment.name = std::string(s.substr(p, q - p));
    std::size_t j = q + 1;
    while (j < s.size()) {
      const char c = s[j];
      if (std::string_view(" \t\r\n;&|").find(c) != std::string_view::npos) break;
      if (c == '\'') {
        const auto end = s.find('\'', j + 1);
        const std::size_t stop = end == std::string_view::npos ? s.size() : end;
        assignment.value.append(s.substr(j + 1, stop - j - 1));
        j = stop + 1;
      } else if (c == '"') {
        ++j;
        while (j < s.size() && s[j] != '"') {
          if (s[j] == '\\' && j + 1 < s.size()) ++j;
          assignment.value += s[j++];
        }
        ++j;
      } else if (c == '\\' && j + 1 < s.size()) {
        assignment.value += s[j + 1];
        j += 2;
      } else {
        assignment.value += c;
        ++j;
      }
    }
    out.push_back(std::move(assignment));
  }
  return out;
}

}  // namespace bulwark::checks::dockerfile
