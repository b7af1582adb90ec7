// Manifests → Inventory (docs/dev/k8s-design.md §1.3): paths and directory walks, documents
// split at their markers and parsed one by one, List kinds unwrapped, names and namespaces
// defaulted. Every problem is an InputProblem or a diagnostic; nothing here throws.
#include "checks/k8s/manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "checks/docker/json_path.h"
#include "checks/k8s/field_types.h"
#include "checks/k8s/yaml_json.h"
#include "core/text.h"
#include "core/utf8.h"

namespace bulwark::checks::k8s {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr std::string_view kDocumentCheck = "BW-K8S-602";
constexpr std::string_view kFileCheck = "BW-K8S-603";
constexpr std::size_t kMaxListDepth = 4;
constexpr std::size_t kReadBlock = 1 << 16;
// Parsing threads: at most this many, and only with this many documents for each.
constexpr std::size_t kMaxWorkers = 8;
constexpr std::size_t kDocumentsPerWorker = 32;
constexpr std::string_view kHelmSource = "# Source: ";
// The lists of a pod spec whose elements evidence names (`containers[name=web]`).
constexpr std::array<std::string_view, 4> kNamedLists = {"containers", "initContainers",
                                                         "ephemeralContainers", "volumes"};

// One document's text: the bytes between two document markers.
struct Chunk {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t first_line = 0;  // 0-based line of `begin` in the file
  bool started = false;        // opened by a `---` line: a document even when empty
  bool content = false;        // holds something besides comments and directives
  std::string_view helm_source;
};

bool startsWithMarker(std::string_view line, std::string_view marker) {
  if (line.substr(0, 3) != marker) return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t';
}

// Whether the text after a `---` on its line is content ("--- {a: 1}") or a comment.
bool markerHasContent(std::string_view line) {
  const std::size_t start = line.find_first_not_of(" \t", 3);
  return start != std::string_view::npos && line[start] != '#';
}

bool blankOrComment(std::string_view line) {
  const std::size_t start = line.find_first_not_of(" \t");
  return start == std::string_view::npos || line[start] == '#';
}

// Splits `text` at document markers at column 0 (YAML allows them nowhere else) and calls
// `emit(chunk)` for each document, in order, until it returns false. Comments, directives and
// a first `---` before the first document stay with it; `...` ends a document.
template <class Emit>
void splitDocuments(std::string_view text, Emit&& emit) {
  Chunk chunk;
  std::size_t line_number = 0;
  for (std::size_t pos = 0; pos < text.size(); ++line_number) {
    std::size_t next = text.find('\n', pos);
    next = next == std::string_view::npos ? text.size() : next + 1;
    std::string_view line = text.substr(pos, next - pos);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (startsWithMarker(line, "---")) {
      if (chunk.started || chunk.content) {
        chunk.end = pos;
        if (!emit(chunk)) return;
        chunk = Chunk{pos, pos, line_number};
      }
      chunk.started = true;
      chunk.content = markerHasContent(line);
    } else if (startsWithMarker(line, "...")) {
      if (chunk.started || chunk.content) {
        chunk.end = pos;
        if (!emit(chunk)) return;
      }
      chunk = Chunk{next, next, line_number + 1};
    } else if (blankOrComment(line) || (line.front() == '%' && !chunk.content)) {
      if (!chunk.content && line.starts_with(kHelmSource)) {
        chunk.helm_source = line.substr(kHelmSource.size());
      }
    } else {
      chunk.content = true;
    }
    pos = next;
  }
  if (chunk.started || chunk.content) {
    chunk.end = text.size();
    emit(chunk);
  }
}

// The offset of the first byte that is not well-formed UTF-8, or npos. JSON strings must be
// valid UTF-8 to print.
std::size_t invalidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = core::utf8SequenceLength(text.substr(i));
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

std::string byteSize(std::uintmax_t bytes) {
  const auto scaled = [](std::uintmax_t value, double unit, std::string_view name) {
    std::string text = fmt::format("{:.1f}", static_cast<double>(value) / unit);
    if (text.ends_with(".0")) text.resize(text.size() - 2);
    return fmt::format("{} {}", text, name);
  };
  if (bytes >= (1U << 20)) return scaled(bytes, 1 << 20, "MiB");
  if (bytes >= (1U << 10)) return scaled(bytes, 1 << 10, "KiB");
  return fmt::format("{} bytes", bytes);
}

const Json* member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string stringMember(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

const Json* dottedPath(const Json& doc, std::string_view path) {
  const Json* node = &doc;
  while (node != nullptr && !path.empty()) {
    const std::size_t dot = path.find('.');
    node = member(*node, path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return node;
}

// Reads the documents of one buffer into the inventory in three steps: split() finds the
// documents, parse() converts each (documents are independent: several threads may parse
// different ones), finish() turns them into objects and problems in document order.
class DocumentReader {
 public:
  DocumentReader(std::string_view text, std::string_view source, bool in_walk,
                 const ManifestOptions& options, Inventory& inventory,
                 core::Diagnostics& diagnostics)
      : text_(text),
        source_(source),
        in_walk_(in_walk),
        options_(options),
        inventory_(inventory),
        diagnostics_(diagnostics) {}
  // Keeps the file's text (read from disk) for as long as its documents are parsed.
  DocumentReader(std::string&& text, std::string source, bool in_walk,
                 const ManifestOptions& options, Inventory& inventory,
                 core::Diagnostics& diagnostics)
      : owned_text_(std::move(text)),
        owned_source_(std::move(source)),
        text_(owned_text_),
        source_(owned_source_),
        in_walk_(in_walk),
        options_(options),
        inventory_(inventory),
        diagnostics_(diagnostics) {}
  DocumentReader(const DocumentReader&) = delete;
  DocumentReader& operator=(const DocumentReader&) = delete;

  void split() {
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);  // a UTF-8 byte order mark
    std::size_t documents = 0;
    splitDocuments(text_, [&](const Chunk& chunk) {
      const std::size_t index = documents++;
      if (index >= options_.max_documents) {
        overflow_ = Overflow{index, chunk.first_line + 1};
        return false;
      }
      if (chunk.content) {  // not empty, not only comments (a disabled Helm template)
        documents_.push_back(Document{index, chunk, {}, {}});
      }
      return true;
    });
  }

  [[nodiscard]] std::size_t size() const { return documents_.size(); }

  void parse(std::size_t i) {
    Document& document = documents_[i];
    const Chunk& chunk = document.chunk;
    const std::string_view text = text_.substr(chunk.begin, chunk.end - chunk.begin);
    if (const std::size_t bad = invalidUtf8(text); bad != std::string_view::npos) {
      const auto line =
          chunk.first_line + 1 +
          static_cast<std::size_t>(std::count(text.begin(), text.begin() + bad, '\n'));
      document.yaml = tl::unexpected(YamlError{line, 0, "not valid UTF-8"});
      return;
    }
    try {
      document.yaml =
          yamlToJson(text, YamlLimits{options_.max_nodes, options_.max_depth}, chunk.first_line);
    } catch (const std::exception& error) {  // std::bad_alloc: the document, not the run, fails
      document.yaml =
          tl::unexpected(YamlError{0, 0, fmt::format("cannot be read: {}", error.what())});
    }
  }

  // False: the run's object limit is reached; nothing more is read.
  bool finish() {
    for (auto& document : documents_) {
      const bool more = readDocument(document);
      document.yaml.reset();  // its objects own their JSON now
      if (!more) return false;
    }
    if (overflow_) {
      problem(overflow_->index, overflow_->line, 0,
              fmt::format("more than {} documents; the rest of the file is not read",
                          options_.max_documents));
    }
    return true;
  }

 private:
  struct Document {
    std::size_t index = 0;  // in the file, counting empty documents
    Chunk chunk;
    std::optional<tl::expected<YamlDocument, YamlError>> yaml;  // set by parse()
    std::string helm;  // "helm:chart/templates/x.yaml" or empty
  };
  struct Overflow {
    std::size_t index = 0;
    std::size_t line = 0;
  };

  bool readDocument(Document& document) {
    auto& yaml = *document.yaml;
    const std::size_t index = document.index;
    if (!yaml) {
      const std::size_t line =
          yaml.error().line != 0 ? yaml.error().line : document.chunk.first_line + 1;
      problem(index, line, yaml.error().column, yaml.error().message);
      return true;
    }
    if (yaml->value.is_null()) return true;  // `--- ~`: nothing to read, as kubectl does
    if (!yaml->value.is_object()) {
      problem(index, yaml->line, yaml->column,
              fmt::format("the document is {}, not a map",
                          yaml->value.is_array() ? "a list" : "a single value"));
      return true;
    }
    if (!document.chunk.helm_source.empty()) {
      document.helm = fmt::format("helm:{}", document.chunk.helm_source);
    }
    return addObject(std::move(yaml->value), document, {}, yaml->line, yaml->column, {}, {}, 0);
  }

  // One map: an object, or a List whose items are read in turn. False: stop the file (the
  // object limit of the run is reached).
  bool addObject(Json value, const Document& document, const std::string& item, std::size_t line,
                 std::size_t column, std::string_view list_api_version, std::string_view item_kind,
                 std::size_t depth) {
    std::string kind = stringMember(value, "kind");
    const Json* kind_value = member(value, "kind");
    if (kind.empty() && kind_value == nullptr && !item_kind.empty()) {
      kind = std::string(item_kind);
    } else if (kind_value == nullptr && depth == 0 && in_walk_ &&
               member(value, "apiVersion") == nullptr) {
      // A CI or compose file that happens to end in .yaml: not ours to judge.
      diagnostics_.add("k8s.not-an-object", where(line),
                       "not a Kubernetes object (no kind, no apiVersion); skipped");
      return true;
    } else if (kind.empty()) {
      problem(document.index, line, column,
              prefixed(item, kind_value == nullptr     ? "no `kind`"
                             : kind_value->is_string() ? "`kind` is empty"
                                                       : "`kind` is not a string"));
      return true;
    }
    std::string api_version = stringMember(value, "apiVersion");
    const Json* api_version_value = member(value, "apiVersion");
    if (api_version.empty() && api_version_value == nullptr) {
      api_version = std::string(list_api_version);
    }
    if (api_version.empty()) {
      // kubectl refuses it too ("apiVersion not set"): which schema the fields follow is unknown.
      problem(document.index, line, column,
              prefixed(item, api_version_value == nullptr     ? "no `apiVersion`"
                             : api_version_value->is_string() ? "`apiVersion` is empty"
                                                              : "`apiVersion` is not a string"));
      return true;
    }

    if (const auto items = value.find("items");
        kind.ends_with("List") && items != value.end() && items->is_array()) {
      return addList(*items, document, item, line, column, api_version, kind, depth);
    }

    if (inventory_.objects.size() >= options_.max_objects) {
      problem(document.index, line, column,
              fmt::format("more than {} objects in this run; the rest is not read",
                          options_.max_objects));
      return false;
    }
    Object object;
    object.kind = std::move(kind);
    object.api_version = std::move(api_version);
    if (const std::size_t slash = object.api_version.find('/'); slash != std::string::npos) {
      object.group = object.api_version.substr(0, slash);
      object.version = object.api_version.substr(slash + 1);
    } else {
      object.version = object.api_version;
    }
    nameObject(object, value, document, item, line);
    object.doc = std::move(value);
    object.origin.file = std::string(source_);
    object.origin.document = document.index;
    object.origin.item = document.helm.empty() ? item
                         : item.empty()        ? document.helm
                                               : fmt::format("{} {}", document.helm, item);
    object.origin.line = line;
    object.origin.column = column;
    object.state.status = docker::FactStatus::Ok;
    object.state.source = std::string(source_);
    classify(object);
    if (auto problem_text = fieldTypeProblem(object)) {
      // kubectl and the API server refuse it: judging the fields that read well would pass
      // checks on an object that cannot exist.
      problem(
          document.index, line, column,
          prefixed(item, fmt::format("{} {}: {}", core::printable(object.kind.substr(0, 64)),
                                     core::printable(object.name.substr(0, 253)), *problem_text)));
      return true;
    }
    recordLines(object, **document.yaml);
    inventory_.objects.push_back(std::move(object));
    return true;
  }

  bool addList(Json& items, const Document& document, const std::string& item, std::size_t line,
               std::size_t column, const std::string& api_version, const std::string& kind,
               std::size_t depth) {
    if (depth >= kMaxListDepth) {
      problem(document.index, line, column,
              prefixed(item, fmt::format("Lists nested deeper than {}", kMaxListDepth)));
      return true;
    }
    // `PodList` items are Pods; a plain `List` says nothing about its items' kind.
    const std::string item_kind = kind == "List" ? std::string() : kind.substr(0, kind.size() - 4);
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string path =
          item.empty() ? fmt::format("items[{}]", i) : fmt::format("{}.items[{}]", item, i);
      const auto [item_line, item_column] = (*document.yaml)->positionOf(items[i]);
      if (!items[i].is_object()) {
        problem(document.index, line, column, prefixed(path, "not a map"));
        continue;
      }
      if (!addObject(std::move(items[i]), document, path, item_line != 0 ? item_line : line,
                     item_line != 0 ? item_column : column, api_version, item_kind, depth + 1)) {
        return false;
      }
    }
    return true;
  }

  void nameObject(Object& object, const Json& value, const Document& document,
                  const std::string& item, std::size_t line) {
    const Json* metadata = member(value, "metadata");
    static const Json kNone = Json::object();
    const Json& meta = metadata != nullptr && metadata->is_object() ? *metadata : kNone;
    object.name = stringMember(meta, "name");
    if (object.name.empty()) {
      if (const std::string generate = stringMember(meta, "generateName"); !generate.empty()) {
        object.name = generate + "*";
      } else {
        object.name = item.empty() ? fmt::format("#{}", document.index)
                                   : fmt::format("#{}.{}", document.index, item);
        diagnostics_.add("k8s.unnamed-object", where(line),
                         fmt::format("{} has no metadata.name or generateName", object.kind));
      }
    }
    if (!namespaced(object.kind)) return;  // cluster-scoped: a namespace would be ignored
    object.ns = stringMember(meta, "namespace");
    if (object.ns.empty()) {
      object.ns = options_.default_namespace;
      object.namespace_defaulted = !options_.namespace_given;
    }
  }

  // The manifest lines of the pod spec's containers and volumes, for evidence.
  static void recordLines(Object& object, const YamlDocument& yaml) {
    if (object.pod_spec_path.empty()) return;
    const Json* spec = dottedPath(object.doc, object.pod_spec_path);
    if (spec == nullptr || !spec->is_object()) return;
    for (const std::string_view list : kNamedLists) {
      const Json* elements = member(*spec, list);
      if (elements == nullptr || !elements->is_array()) continue;
      const std::string base = fmt::format("{}.{}", object.pod_spec_path, list);
      for (std::size_t i = 0; i < elements->size(); ++i) {
        const auto [line, column] = yaml.positionOf((*elements)[i]);
        if (line != 0) object.lines[docker::elementPath(base, (*elements)[i], i)] = line;
      }
    }
  }

  static std::string prefixed(const std::string& item, std::string_view message) {
    return item.empty() ? std::string(message) : fmt::format("{}: {}", item, message);
  }

  [[nodiscard]] std::string where(std::size_t line) const {
    return line == 0 ? std::string(source_) : fmt::format("{}:{}", source_, line);
  }

  void problem(std::size_t index, std::size_t line, std::size_t column, std::string_view message) {
    InputProblem problem;
    problem.check_id = std::string(kDocumentCheck);
    problem.resource = fmt::format("file:{}#{}", source_, index);
    problem.cause = model::NotEvaluatedCause::Malformed;
    problem.reason = column == 0 ? fmt::format("{}: {}", where(line), message)
                                 : fmt::format("{}:{}:{}: {}", source_, line, column, message);
    problem.file = std::string(source_);
    problem.line = line;
    inventory_.problems.push_back(std::move(problem));
  }

  std::string owned_text_;
  std::string owned_source_;
  std::string_view text_;
  std::string_view source_;
  bool in_walk_;
  const ManifestOptions& options_;
  Inventory& inventory_;
  core::Diagnostics& diagnostics_;
  std::vector<Document> documents_;
  std::optional<Overflow> overflow_;
};

// Parses the documents of every reader: on several threads when there are enough of them
// (YAML parsing is the hot spot of reading manifests), in the calling thread otherwise.
void parseAll(std::span<DocumentReader* const> readers) {
  std::vector<std::pair<DocumentReader*, std::size_t>> jobs;
  for (DocumentReader* reader : readers) {
    for (std::size_t i = 0; i < reader->size(); ++i) jobs.emplace_back(reader, i);
  }
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t job = next++; job < jobs.size(); job = next++) {
      jobs[job].first->parse(jobs[job].second);
    }
  };
  const std::size_t workers =
      std::min({static_cast<std::size_t>(std::max(1U, std::thread::hardware_concurrency())),
                kMaxWorkers, jobs.size() / kDocumentsPerWorker});
  std::vector<std::jthread> threads;
  for (std::size_t w = 1; w < workers; ++w) {
    try {
      threads.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads: the ones running and this one share the rest
    }
  }
  work();
}

void fileProblem(Inventory& inventory, std::string_view path, model::NotEvaluatedCause cause,
                 std::string_view message) {
  InputProblem problem;
  problem.check_id = std::string(kFileCheck);
  problem.resource = fmt::format("file:{}", path);
  problem.cause = cause;
  problem.reason = fmt::format("{}: {}", path, message);
  problem.file = std::string(path);
  inventory.problems.push_back(std::move(problem));
}

model::NotEvaluatedCause causeOfErrno(int error) {
  if (error == EACCES || error == EPERM) return model::NotEvaluatedCause::PermissionDenied;
  if (error == ENOENT) return model::NotEvaluatedCause::MissingInput;
  return model::NotEvaluatedCause::Malformed;
}

// Reads all of `fd` unless it holds more than `limit` bytes. False on a read error (errno set);
// `over` tells the caller the limit was hit. `expected` (the size of a regular file) is read
// into an exact allocation: thousands of files stay in memory until their documents are parsed.
bool readAll(int fd, std::size_t limit, std::size_t expected, std::string& text, bool& over) {
  text.clear();
  text.reserve(std::min(expected, limit) + 1);
  over = false;
  for (;;) {
    const std::size_t old = text.size();
    // Up to the expected size and one byte more (to see the end), then blocks if it grew.
    const std::size_t want = old <= expected ? expected + 1 - old : kReadBlock;
    text.resize(old + want);
    const ssize_t got = ::read(fd, text.data() + old, want);
    text.resize(old + static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (got == 0) return true;
    if (text.size() > limit) {
      over = true;
      return true;
    }
  }
}

class Loader {
 public:
  Loader(const ManifestOptions& options, Inventory& inventory, core::Diagnostics& diagnostics)
      : options_(options), inventory_(inventory), diagnostics_(diagnostics) {}

  // `in_walk`: found in a directory (files that are not Kubernetes objects are skipped).
  void readFile(const std::string& path, int fd, bool in_walk) {
    struct stat info {};
    std::size_t expected = 0;
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
      expected = static_cast<std::size_t>(info.st_size);
      if (expected > options_.max_file_bytes) {
        tooLarge(path, byteSize(expected));
        return;
      }
    }
    std::string text;
    bool over = false;
    if (!readAll(fd, options_.max_file_bytes, expected, text, over)) {
      const int error = errno;
      fileProblem(inventory_, path, causeOfErrno(error),
                  fmt::format("cannot be read: {}", std::strerror(error)));
      return;
    }
    if (over) {
      tooLarge(path, fmt::format("larger than {}", byteSize(options_.max_file_bytes)));
      return;
    }
    ++inventory_.files;
    readers_.push_back(std::make_unique<DocumentReader>(std::move(text), path, in_walk, options_,
                                                        inventory_, diagnostics_));
  }

  // Reads the documents of every file read, in the order the files were given and found.
  void finish() {
    std::vector<DocumentReader*> readers;
    for (const auto& reader : readers_) {
      reader->split();
      readers.push_back(reader.get());
    }
    parseAll(readers);
    for (const auto& reader : readers_) {
      if (!reader->finish()) break;
    }
    readers_.clear();
  }

  void openAndRead(const std::string& path, bool in_walk) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (in_walk ? O_NOFOLLOW : 0));
    if (fd < 0) {
      const int error = errno;
      fileProblem(inventory_, path, causeOfErrno(error),
                  error == ENOENT ? std::string("vanished while being read")
                                  : fmt::format("cannot be read: {}", std::strerror(error)));
      return;
    }
    readFile(path, fd, in_walk);
    ::close(fd);
  }

  void walk(const std::string& root) {
    std::vector<std::string> files;
    if (!collect(root, files)) {
      fileProblem(
          inventory_, root, model::NotEvaluatedCause::Malformed,
          fmt::format("more than {} manifest files; the rest is not read", options_.max_files));
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) openAndRead(file, true);
  }

 private:
  void tooLarge(const std::string& path, std::string size) {
    std::string limit = byteSize(options_.max_file_bytes);
    if (size == limit) {  // 64 MiB and a byte more look alike: show the bytes
      size = fmt::format("{} bytes", size);
      limit = fmt::format("{} bytes", options_.max_file_bytes);
    }
    fileProblem(inventory_, path, model::NotEvaluatedCause::Malformed,
                fmt::format("file is {}; the limit is {}", size, limit));
  }

  static bool manifestName(std::string_view name) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json");
  }

  // Collects the manifest files under `dir` (depth first, names sorted). False when
  // max_files was reached.
  bool collect(const std::string& dir, std::vector<std::string>& files) {
    std::error_code error;
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
      entries.push_back(*it);
    }
    if (error) {
      fileProblem(inventory_, dir, causeOfErrno(error.value()),
                  fmt::format("cannot be read: {}", error.message()));
      return true;
    }
    for (const auto& entry : entries) {
      const std::string name = entry.path().filename().string();
      if (name == "Chart.yaml") {
        fileProblem(inventory_, dir, model::NotEvaluatedCause::MissingInput,
                    "a Helm chart: render it first (`helm template … | bulwark bench k8s -`)");
        return true;
      }
      if (name == "kustomization.yaml" || name == "kustomization.yml" || name == "Kustomization") {
        fileProblem(inventory_, dir, model::NotEvaluatedCause::MissingInput,
                    "a kustomization: render it first (`kubectl kustomize DIR | bulwark bench "
                    "k8s -`)");
        return true;
      }
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path() < b.path(); });
    for (const auto& entry : entries) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with('.') || entry.is_symlink(error)) continue;  // .git; links not followed
      if (entry.is_directory(error)) {
        if (!collect(entry.path().string(), files)) return false;
      } else if (entry.is_regular_file(error) && manifestName(name)) {
        if (files.size() >= options_.max_files) return false;
        files.push_back(entry.path().string());
      }
    }
    return true;
  }

  const ManifestOptions& options_;
  Inventory& inventory_;
  core::Diagnostics& diagnostics_;
  std::vector<std::unique_ptr<DocumentReader>> readers_;
};

}  // namespace

void addManifestText(std::string_view text, std::string_view source, const ManifestOptions& options,
                     Inventory& inventory, core::Diagnostics& diagnostics) {
  DocumentReader reader(text, source, false, options, inventory, diagnostics);
  reader.split();
  DocumentReader* const readers[] = {&reader};
  parseAll(readers);
  reader.finish();
}

core::Result<Inventory> loadManifests(std::span<const std::string> paths,
                                      const ManifestOptions& options,
                                      core::Diagnostics& diagnostics) {
  Inventory inventory;
  inventory.cluster = "manifests";
  Loader loader(options, inventory, diagnostics);
  const bool stdin_read = std::find(paths.begin(), paths.end(), "-") != paths.end();
  if (std::count(paths.begin(), paths.end(), "-") > 1) {
    return core::fail(core::ErrorCode::Usage, "stdin (-) is given more than once");
  }
  for (const auto& path : paths) {
    if (path == "-") {
      loader.readFile(path, STDIN_FILENO, false);
      continue;
    }
    std::error_code error;
    const auto status = fs::status(path, error);
    if (status.type() == fs::file_type::not_found) {
      return core::fail(core::ErrorCode::NotFound, "{}: no such file or directory", path);
    }
    if (error) {
      fileProblem(inventory, path, causeOfErrno(error.value()),
                  fmt::format("cannot be read: {}", error.message()));
    } else if (fs::is_directory(status)) {
      loader.walk(path);
    } else {
      loader.openAndRead(path, false);  // a link given by name is read
    }
  }
  loader.finish();
  inventory.source =
      stdin_read && inventory.files == 1
          ? std::string("stdin")
          : fmt::format("{} file{}", inventory.files, inventory.files == 1 ? "" : "s");
  inventory.index();
  return inventory;
}

}  // namespace bulwark::checks::k8s
