#include "vulndb/feeds/oval/oval.h"

#include <bzlib.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "core/text.h"
#include "vulndb/ecosystem.h"
#include "vulndb/feeds/xml_util.h"

namespace bulwark::vulndb::feeds {

namespace {

using model::Advisory;
using model::AffectedPackage;
using model::AffectedStatus;
using model::RangeEvent;
using model::VersionRange;

constexpr std::string_view kMalformed = "oval.malformed-record";
constexpr std::string_view kMalformedXml = "oval.malformed-xml";
constexpr std::size_t kMaxCriteriaDepth = 64;
constexpr std::size_t kMaxNamesPerObject = 100'000;
constexpr std::size_t kMaxTextBytes = std::size_t{1} << 20;  // one description
constexpr std::size_t kBz2Chunk = std::size_t{1} << 20;

enum class Vendor { Unknown, Ubuntu, Debian, RedHat, Mariner, AzureLinux };

std::string_view sourceOf(Vendor vendor) {
  switch (vendor) {
    case Vendor::Ubuntu: return "ubuntu-oval";
    case Vendor::Debian: return "debian-oval";
    case Vendor::RedHat: return "redhat-oval";
    case Vendor::Mariner:
    case Vendor::AzureLinux: return "mariner-oval";
    case Vendor::Unknown: break;
  }
  return "oval";
}

// --- XML helpers (vulndb/feeds/xml_util.h; namespace prefixes vary between vendors) ---

using detail::attr;
using detail::child;
using detail::forChildren;
using detail::localName;
using detail::text;

// The text of an element and of every element inside it (descriptions hold <a>, <q>, ...).
std::string allText(const pugi::xml_node& node) {
  std::string out;
  struct Walker : pugi::xml_tree_walker {
    std::string* out;
    bool for_each(pugi::xml_node& n) override {
      if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
        if (out->size() + std::string_view(n.value()).size() > kMaxTextBytes) return false;
        out->append(n.value());
      }
      return true;
    }
  } walker;
  walker.out = &out;
  auto copy = node;
  copy.traverse(walker);  // iterative in pugixml: deep nesting cannot overflow the stack
  return std::string(core::trim(out));
}

void addUnique(std::vector<std::string>& list, std::string value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

// "0:1.2-3" → "1.2-3"; other epochs stay.
std::string dropZeroEpoch(std::string_view version) {
  version = core::trim(version);
  if (version.starts_with("0:")) version.remove_prefix(2);
  return std::string(version);
}

// "2007-01-16 23:28:00 UTC" → "2007-01-16T23:28:00Z"; "2015-02-23" stays; others → "".
std::string rfc3339(std::string_view value) {
  value = core::trim(value);
  const auto digits = [&](std::size_t from, std::size_t count) {
    if (value.size() < from + count) return false;
    for (std::size_t i = from; i < from + count; ++i) {
      if (std::isdigit(static_cast<unsigned char>(value[i])) == 0) return false;
    }
    return true;
  };
  if (!digits(0, 4) || value[4] != '-' || !digits(5, 2) || value[7] != '-' || !digits(8, 2)) {
    return {};
  }
  std::string date(value.substr(0, 10));
  if (value.size() >= 19 && (value[10] == ' ' || value[10] == 'T') && digits(11, 2) &&
      value[13] == ':' && digits(14, 2) && value[16] == ':' && digits(17, 2)) {
    std::string_view rest = value.substr(19);
    while (!rest.empty() &&
           (rest.front() == '.' || std::isdigit(static_cast<unsigned char>(rest.front())) != 0)) {
      rest.remove_prefix(1);  // fractional seconds
    }
    rest = core::trim(rest);
    std::string zone = "Z";
    if ((rest.starts_with('+') || rest.starts_with('-')) && rest.size() == 6) zone = rest;
    return fmt::format("{}T{}{}", date, value.substr(11, 8), zone);
  }
  return date;
}

// --- bzip2 ---------------------------------------------------------------------------------

core::Result<std::string> decompressBz2(std::string_view bytes, std::string_view where) {
  std::string out;
  std::size_t consumed = 0;
  while (consumed < bytes.size()) {  // concatenated streams (pbzip2) follow one another
    if (out.size() > 0 && !bytes.substr(consumed).starts_with("BZh")) break;  // trailing junk
    bz_stream stream{};
    if (BZ2_bzDecompressInit(&stream, 0, 0) != BZ_OK) {
      return core::fail(core::ErrorCode::Internal, "{}: bzip2 init failed", where);
    }
    const std::string_view input = bytes.substr(consumed);
    stream.next_in = const_cast<char*>(input.data());  // libbz2 does not write its input
    stream.avail_in = static_cast<unsigned>(std::min<std::size_t>(input.size(), 1U << 30));
    int ret = BZ_OK;
    while (ret == BZ_OK) {
      if (out.size() + kBz2Chunk > kMaxFeedFileBytes) {
        BZ2_bzDecompressEnd(&stream);
        return core::fail(core::ErrorCode::Limit, "{}: decompresses to more than {} bytes", where,
                          kMaxFeedFileBytes);
      }
      const std::size_t before = out.size();
      out.resize(before + kBz2Chunk);
      stream.next_out = out.data() + before;
      stream.avail_out = static_cast<unsigned>(kBz2Chunk);
      ret = BZ2_bzDecompress(&stream);
      out.resize(before + (kBz2Chunk - stream.avail_out));
      // All input read, no output made, no end of stream: the data is cut short.
      if (ret == BZ_OK && stream.avail_in == 0 && out.size() == before) ret = BZ_UNEXPECTED_EOF;
    }
    const std::size_t used = input.size() - stream.avail_in;
    BZ2_bzDecompressEnd(&stream);
    if (ret != BZ_STREAM_END) {
      return core::fail(core::ErrorCode::Input, "{}: corrupt or truncated bzip2 data (code {})",
                        where, ret);
    }
    consumed += used;
    if (used == 0) break;
  }
  return out;
}

// --- lenient XML ----------------------------------------------------------------------------

// Escapes every '<' inside <description> and <moreinfo> text, where real files carry raw
// markup copied from advisory texts (Debian jessie OVAL: `<url "https://…" />`, unclosed <br>),
// so that the markup survives as text instead of breaking the document.
std::string sanitize(std::string_view in) {
  std::string out;
  out.reserve(in.size() + 1024);
  std::size_t i = 0;
  while (i < in.size()) {
    const std::size_t open = in.find('<', i);
    if (open == std::string_view::npos) break;
    std::string_view close;
    for (const std::string_view tag :
         {std::string_view("description"), std::string_view("moreinfo")}) {
      const std::string_view rest = in.substr(open + 1);
      if (rest.starts_with(tag) && rest.size() > tag.size() && rest[tag.size()] == '>') close = tag;
    }
    if (close.empty()) {
      out.append(in.substr(i, open + 1 - i));
      i = open + 1;
      continue;
    }
    const std::size_t body = open + close.size() + 2;
    const std::string end_tag = fmt::format("</{}>", close);
    const std::size_t end = in.find(end_tag, body);
    if (end == std::string_view::npos) break;  // cut short: leave the rest to the parser
    out.append(in.substr(i, body - i));
    for (const char c : in.substr(body, end - body)) {
      if (c == '<') {
        out += "&lt;";
      } else {
        out += c;
      }
    }
    out += end_tag;
    i = end + end_tag.size();
  }
  if (i < in.size()) out.append(in.substr(i));
  return out;
}

// --- the document ---------------------------------------------------------------------------

struct Evr {
  std::string operation;
  std::string value;
};

struct ResolvedTest {
  enum class Kind { Package, Module, Release, Other };
  Kind kind = Kind::Other;
  std::vector<std::string> names;
  std::vector<Evr> evrs;
  std::vector<std::string> arches;
  std::string module;   // "name:stream"
  std::string release;  // rhel major from the redhat-release check
  bool negative = false;
  std::string problem;  // a reason the test cannot be evaluated
};

class Document {
 public:
  explicit Document(const pugi::xml_node& root) {
    index(child(root, "tests"), tests_);
    index(child(root, "objects"), objects_);
    index(child(root, "states"), states_);
    index(child(root, "variables"), variables_);
  }

  ResolvedTest resolve(std::string_view test_ref) const {
    ResolvedTest out;
    const auto test = find(tests_, test_ref);
    if (!test) {
      out.problem = fmt::format("test {} not found", core::printable(test_ref));
      return out;
    }
    const std::string_view kind = localName(test);
    const auto object = find(objects_, attr(child(test, "object"), "object_ref"));
    std::vector<pugi::xml_node> states;
    forChildren(test, "state", [&](const pugi::xml_node& state) {
      if (auto found = find(states_, attr(state, "state_ref"))) states.push_back(found);
    });
    const std::string_view existence = attr(test, "check_existence");
    out.negative = existence == "none_exist" || attr(test, "check") == "none satisfy";
    if (kind == "dpkginfo_test" || kind == "rpminfo_test") {
      if (!object) {
        out.problem = fmt::format("object of test {} not found", core::printable(test_ref));
        return out;
      }
      resolveNames(child(object, "name"), out);
      bool signature_only = !states.empty();
      for (const auto& state : states) {
        for (auto it = state.first_child(); it; it = it.next_sibling()) {
          if (it.type() != pugi::node_element) continue;
          const std::string_view field = localName(it);
          if (field == "evr" || field == "version") {
            signature_only = false;
            out.evrs.push_back({std::string(attr(it, "operation")), text(it)});
          } else if (field == "arch") {
            signature_only = false;
            const std::string arches = text(it);
            for (const auto arch : core::split(arches, '|')) {
              addUnique(out.arches, std::string(core::trim(arch)));
            }
          }
        }
      }
      out.kind = signature_only ? ResolvedTest::Kind::Other : ResolvedTest::Kind::Package;
      return out;
    }
    if (kind == "textfilecontent54_test" && object) {
      // /etc/dnf/modules.d/NAME.module with a state matching "stream\s*=\s*STREAM\b"
      std::string path = text(child(object, "filepath"));
      if (path.empty()) path = text(child(object, "path")) + "/" + text(child(object, "filename"));
      constexpr std::string_view kDir = "/etc/dnf/modules.d/";
      constexpr std::string_view kExt = ".module";
      if (path.starts_with(kDir) && path.ends_with(kExt) && !states.empty()) {
        const std::string name = path.substr(kDir.size(), path.size() - kDir.size() - kExt.size());
        const std::string pattern = text(child(states.front(), "text"));
        constexpr std::string_view kStream = "stream\\s*=\\s*";
        const auto at = pattern.find(kStream);
        if (!name.empty() && at != std::string::npos) {
          std::size_t end = at + kStream.size();
          while (end < pattern.size() && pattern[end] != '\\' && pattern[end] != '[' &&
                 pattern[end] != '(' && pattern[end] != '|' && pattern[end] != '$') {
            ++end;
          }
          const std::string stream = pattern.substr(at + kStream.size(), end - at - kStream.size());
          if (!stream.empty()) {
            out.kind = ResolvedTest::Kind::Module;
            out.module = name + ":" + stream;
          }
        }
      }
      return out;
    }
    if (kind == "rpmverifyfile_test" && !states.empty()) {
      const pugi::xml_node& state = states.front();
      const std::string name = text(child(state, "name"));
      const std::string version_pattern = text(child(state, "version"));
      std::string_view version = version_pattern;
      if (name.find("redhat-release") != std::string::npos && version.starts_with('^')) {
        version.remove_prefix(1);
        std::size_t n = 0;
        while (n < version.size() && std::isdigit(static_cast<unsigned char>(version[n])) != 0) {
          ++n;
        }
        if (n > 0 && !out.negative) {
          out.kind = ResolvedTest::Kind::Release;
          out.release = std::string(version.substr(0, n));
        }
      }
    }
    return out;
  }

 private:
  using Index = std::unordered_map<std::string_view, pugi::xml_node>;

  static void index(const pugi::xml_node& section, Index& into) {
    for (auto it = section.first_child(); it; it = it.next_sibling()) {
      if (it.type() != pugi::node_element) continue;
      const std::string_view id = attr(it, "id");
      if (!id.empty()) into.emplace(id, it);
    }
  }

  static pugi::xml_node find(const Index& index, std::string_view id) {
    const auto it = index.find(id);
    return it == index.end() ? pugi::xml_node{} : it->second;
  }

  void resolveNames(const pugi::xml_node& name, ResolvedTest& out) const {
    if (!name) {
      out.problem = "object has no name";
      return;
    }
    if (const std::string_view op = attr(name, "operation"); !op.empty() && op != "equals") {
      out.problem = fmt::format("name operation \"{}\"", core::printable(op));
      return;
    }
    if (const std::string_view var = attr(name, "var_ref"); !var.empty()) {
      const auto variable = find(variables_, var);
      if (!variable || localName(variable) != "constant_variable") {
        out.problem = fmt::format("variable {} not found or not constant", core::printable(var));
        return;
      }
      forChildren(variable, "value", [&](const pugi::xml_node& value) {
        if (out.names.size() < kMaxNamesPerObject) addUnique(out.names, text(value));
      });
      return;
    }
    addUnique(out.names, text(name));
  }

  Index tests_;
  Index objects_;
  Index states_;
  Index variables_;
};

// --- criteria -------------------------------------------------------------------------------

struct Constraint {
  std::string name;
  std::string module;
  std::vector<std::string> arches;
  std::string introduced;
  std::string fixed;
  std::string last_affected;
  std::vector<std::string> versions;
  std::string problem;
  bool not_affected = false;  // "X is installed" AND "X is not installed": never true

  bool operator==(const Constraint&) const = default;
};

class CriteriaWalker {
 public:
  CriteriaWalker(const Document& document, std::vector<std::string>& problems)
      : document_(document), problems_(problems) {}

  void walk(const pugi::xml_node& criteria, const std::string& module, std::size_t depth) {
    if (depth > kMaxCriteriaDepth) {
      addProblem("criteria nested too deeply");
      return;
    }
    if (attr(criteria, "negate") == "true") return;  // a negated branch states no package
    const bool all = attr(criteria, "operator").empty() || attr(criteria, "operator") == "AND";
    std::string scope_module = module;
    std::vector<std::pair<std::string_view, ResolvedTest>> tests;
    for (auto it = criteria.first_child(); it; it = it.next_sibling()) {
      if (it.type() != pugi::node_element || localName(it) != "criterion") continue;
      if (attr(it, "negate") == "true") continue;
      auto resolved = document_.resolve(attr(it, "test_ref"));
      if (!resolved.problem.empty()) addProblem(resolved.problem);
      if (resolved.kind == ResolvedTest::Kind::Module && all) scope_module = resolved.module;
      if (resolved.kind == ResolvedTest::Kind::Release && release_.empty()) {
        release_ = resolved.release;
      }
      tests.emplace_back(attr(it, "test_ref"), std::move(resolved));
    }
    // In an AND node the constraints on one package combine into one range.
    std::vector<Constraint> local;
    for (auto& [ref, test] : tests) {
      if (test.kind != ResolvedTest::Kind::Package || test.negative) continue;
      for (const auto& name : test.names) {
        Constraint* target = nullptr;
        if (all) {
          for (auto& existing : local) {
            if (existing.name == name) target = &existing;
          }
        }
        if (target == nullptr) {
          local.push_back({.name = name, .module = scope_module});
          target = &local.back();
        }
        for (const auto& arch : test.arches) addUnique(target->arches, arch);
        for (const auto& evr : test.evrs) apply(evr, *target);
      }
    }
    if (all) {  // Red Hat "Unaffected components": the same AND says the package is absent
      for (const auto& [ref, test] : tests) {
        if (test.kind != ResolvedTest::Kind::Package || !test.negative) continue;
        for (auto& constraint : local) {
          if (std::find(test.names.begin(), test.names.end(), constraint.name) !=
              test.names.end()) {
            constraint.not_affected = true;
          }
        }
      }
    }
    for (auto& constraint : local) {
      if (std::find(out_.begin(), out_.end(), constraint) == out_.end()) {
        out_.push_back(std::move(constraint));
      }
    }
    for (auto it = criteria.first_child(); it; it = it.next_sibling()) {
      if (it.type() == pugi::node_element && localName(it) == "criteria") {
        walk(it, scope_module, depth + 1);
      }
    }
  }

  std::vector<Constraint>& constraints() { return out_; }
  const std::string& release() const { return release_; }

 private:
  void addProblem(std::string problem) {
    if (problems_.size() < 16) addUnique(problems_, std::move(problem));
  }

  void apply(const Evr& evr, Constraint& target) {
    const std::string version = dropZeroEpoch(evr.value);
    if (version.empty()) {
      target.problem = "empty evr";
      return;
    }
    if (evr.operation == "less than") {
      target.fixed = version;
    } else if (evr.operation == "less than or equal") {
      target.last_affected = version;
    } else if (evr.operation == "greater than" || evr.operation == "greater than or equal") {
      target.introduced = version;  // OSV "introduced" is inclusive: "greater than" widens by one
    } else if (evr.operation == "equals" || evr.operation.empty()) {
      addUnique(target.versions, version);
    } else {
      target.problem = fmt::format("evr operation \"{}\"", core::printable(evr.operation));
    }
  }

  const Document& document_;
  std::vector<std::string>& problems_;
  std::vector<Constraint> out_;
  std::string release_;
};

// --- definitions ----------------------------------------------------------------------------

struct FileContext {
  std::string_view where;
  std::string mariner_release;  // from the file name
  std::string modified;         // the generator timestamp
};

Vendor vendorOf(std::string_view id, const std::vector<std::string>& platforms) {
  if (id.starts_with("oval:com.ubuntu.")) return Vendor::Ubuntu;
  if (id.starts_with("oval:org.debian")) return Vendor::Debian;
  if (id.starts_with("oval:com.redhat.")) return Vendor::RedHat;
  if (id.starts_with("oval:com.microsoft.cbl-mariner")) return Vendor::Mariner;
  if (id.starts_with("oval:com.microsoft.azurelinux")) return Vendor::AzureLinux;
  for (const auto& platform : platforms) {
    if (platform.starts_with("CBL-Mariner")) return Vendor::Mariner;
    if (platform.starts_with("Azure Linux")) return Vendor::AzureLinux;
    if (platform.starts_with("Ubuntu")) return Vendor::Ubuntu;
    if (platform.starts_with("Debian")) return Vendor::Debian;
    if (platform.starts_with("Red Hat")) return Vendor::RedHat;
  }
  return Vendor::Unknown;
}

// The first run of digits after `prefix` in `text` ("Debian GNU/Linux 8" → "8").
std::string numberAfter(std::string_view text, std::string_view prefix) {
  const auto at = text.find(prefix);
  if (at == std::string_view::npos) return {};
  std::size_t i = at + prefix.size();
  std::size_t n = i;
  while (n < text.size() && std::isdigit(static_cast<unsigned char>(text[n])) != 0) ++n;
  return std::string(text.substr(i, n - i));
}

// "X.Y" from a file name such as "cbl-mariner-2.0-oval.xml" or "azurelinux-3.0-oval.xml".
std::string releaseFromFileName(std::string_view where) {
  if (const auto slash = where.find_last_of('/'); slash != std::string_view::npos) {
    where.remove_prefix(slash + 1);
  }
  for (std::size_t i = 0; i < where.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(where[i])) == 0) continue;
    if (i > 0 && std::isdigit(static_cast<unsigned char>(where[i - 1])) != 0) continue;
    std::size_t j = i;
    while (j < where.size() && std::isdigit(static_cast<unsigned char>(where[j])) != 0) ++j;
    if (j + 1 < where.size() && where[j] == '.' &&
        std::isdigit(static_cast<unsigned char>(where[j + 1])) != 0) {
      std::size_t k = j + 1;
      while (k < where.size() && std::isdigit(static_cast<unsigned char>(where[k])) != 0) ++k;
      return std::string(where.substr(i, k - i));
    }
  }
  return {};
}

class Importer {
 public:
  Importer(const Document& document, FileContext context, core::Diagnostics& diagnostics)
      : document_(document), context_(std::move(context)), diagnostics_(diagnostics) {}

  void definition(const pugi::xml_node& node) {
    const std::string_view klass = attr(node, "class");
    if (klass != "vulnerability" && klass != "patch") return;
    ++counted_;
    const std::string_view def_id = attr(node, "id");
    const std::string where = fmt::format("{}#{}", context_.where, core::printable(def_id));
    const auto metadata = child(node, "metadata");
    std::vector<std::string> platforms;
    forChildren(child(metadata, "affected"), "platform",
                [&](const pugi::xml_node& p) { platforms.push_back(text(p)); });
    const Vendor vendor = vendorOf(def_id, platforms);

    Advisory advisory;
    advisory.source = sourceOf(vendor);
    advisory.summary = text(child(metadata, "title"));
    advisory.details = allText(child(metadata, "description"));
    advisory.modified = context_.modified;
    std::string advisory_ref;  // RHSA/RHBA/RHEA
    std::vector<std::string> cves;
    forChildren(metadata, "reference", [&](const pugi::xml_node& reference) {
      const std::string_view source = attr(reference, "source");
      const std::string ref_id(core::trim(attr(reference, "ref_id")));
      if (source == "CVE") addUnique(cves, ref_id);
      if (source == "RHSA" && advisory_ref.empty()) advisory_ref = ref_id;
      addUnique(advisory.references, std::string(core::trim(attr(reference, "ref_url"))));
    });
    std::string severity_word;
    if (const auto adv = child(metadata, "advisory")) {
      severity_word = text(child(adv, "severity"));
      advisory.published = rfc3339(text(child(adv, "public_date")));
      if (advisory.published.empty())
        advisory.published = rfc3339(attr(child(adv, "issued"), "date"));
      if (const auto updated = rfc3339(attr(child(adv, "updated"), "date")); !updated.empty()) {
        advisory.modified = updated;
      }
      forChildren(adv, "cve", [&](const pugi::xml_node& cve) {
        addUnique(cves, text(cve));
        addUnique(advisory.references, std::string(core::trim(attr(cve, "href"))));
      });
      forChildren(adv, "ref",
                  [&](const pugi::xml_node& r) { addUnique(advisory.references, text(r)); });
      forChildren(adv, "bug",
                  [&](const pugi::xml_node& r) { addUnique(advisory.references, text(r)); });
      forChildren(adv, "bugzilla", [&](const pugi::xml_node& r) {
        addUnique(advisory.references, std::string(core::trim(attr(r, "href"))));
      });
    }
    if (severity_word.empty()) severity_word = text(child(metadata, "severity"));  // Mariner
    if (const auto date = child(metadata, "advisory_date"))
      advisory.published = rfc3339(text(date));
    if (const auto debian = child(metadata, "debian")) {  // Debian: the DSA text is the detail
      if (advisory.published.empty()) advisory.published = rfc3339(text(child(debian, "date")));
      if (auto more = allText(child(debian, "moreinfo")); !more.empty()) advisory.details = more;
    }
    if (cves.empty() && advisory.summary.starts_with("CVE-")) {  // Debian titles
      const auto end = advisory.summary.find_first_of(" \t");
      cves.push_back(advisory.summary.substr(0, end));
    }
    if (vendor == Vendor::RedHat && !advisory_ref.empty()) {
      advisory.id = advisory_ref;
      advisory.aliases = cves;
    } else if (!cves.empty()) {
      advisory.id = cves.front();
      advisory.aliases.assign(cves.begin() + 1, cves.end());
    }
    if (advisory.id.empty()) {
      diagnostics_.add(std::string(kMalformed), where, "no CVE or advisory id");
      return;
    }

    // The packages.
    std::vector<std::string> problems;
    CriteriaWalker walker(document_, problems);
    if (const auto criteria = child(node, "criteria")) walker.walk(criteria, {}, 0);
    const std::string ecosystem = ecosystemOf(vendor, def_id, platforms, walker.release());
    if (ecosystem.empty()) {
      diagnostics_.add(std::string(kUnevaluable), where, "unknown distribution release");
    }
    const model::Severity severity = model::parseSeverity(severity_word);
    if (!severity_word.empty()) {
      advisory.severities.push_back({.type = fmt::format("{}-severity", advisory.source),
                                     .severity = severity,
                                     .source = advisory.source});
    }
    // Mariner and Azure Linux mark CVEs that "either no longer [are] or [were] never
    // applicable" with <patchable>Not Applicable</patchable>; their criteria still name the
    // package, but nothing is affected.
    const bool not_applicable = (vendor == Vendor::Mariner || vendor == Vendor::AzureLinux) &&
                                core::trim(text(child(metadata, "patchable"))) == "Not Applicable";
    for (auto& constraint : walker.constraints()) {
      AffectedPackage package;
      package.ecosystem = ecosystem;
      package.name = constraint.name;
      package.module_stream = constraint.module;
      package.arches = constraint.arches;
      package.urgency = severity_word;
      package.severity = severity;
      package.versions = constraint.versions;
      if (!constraint.problem.empty()) problems.push_back(constraint.problem);
      if (constraint.not_affected || not_applicable) {
        package.status = AffectedStatus::NotAffected;
        package.versions.clear();
        advisory.affected.push_back(std::move(package));
        continue;
      }
      VersionRange range{.type = VersionRange::Type::Ecosystem};
      range.events.push_back({RangeEvent::Kind::Introduced,
                              constraint.introduced.empty() ? "0" : constraint.introduced});
      if (!constraint.fixed.empty()) {
        range.events.push_back({RangeEvent::Kind::Fixed, constraint.fixed});
        package.fixed_version = constraint.fixed;
        package.status = AffectedStatus::Fixed;
      } else if (!constraint.last_affected.empty()) {
        range.events.push_back({RangeEvent::Kind::LastAffected, constraint.last_affected});
      }
      if (constraint.versions.empty() || !constraint.fixed.empty() ||
          !constraint.last_affected.empty()) {
        package.ranges.push_back(std::move(range));
      }
      advisory.affected.push_back(std::move(package));
    }
    for (const auto& problem : problems) {
      diagnostics_.add(std::string(kUnevaluable), where, problem);
    }
    if (advisory.affected.empty()) {
      diagnostics_.add(std::string(kMalformed), where, "no package test in the criteria");
    }
    ++used_;
    merge(std::move(advisory));
  }

  void deliver(const AdvisorySink& sink) {
    for (auto& [key, advisory] : advisories_) sink(std::move(advisory));
    advisories_.clear();
  }

  std::size_t counted() const { return counted_; }
  std::size_t used() const { return used_; }
  std::size_t advisories() const { return advisories_.size(); }

 private:
  std::string ecosystemOf(Vendor vendor, std::string_view def_id,
                          const std::vector<std::string>& platforms,
                          const std::string& rhel_release) const {
    switch (vendor) {
      case Vendor::Ubuntu: {
        // oval:com.ubuntu.<series>:def:…
        std::string_view rest = def_id.substr(std::string_view("oval:com.ubuntu.").size());
        const std::string_view series = rest.substr(0, rest.find(':'));
        if (!series.empty() && def_id.starts_with("oval:com.ubuntu.")) {
          return osEcosystem("ubuntu", series);
        }
        for (const auto& platform : platforms) {  // "Ubuntu 18.04 LTS"
          if (!platform.starts_with("Ubuntu ")) continue;
          const std::string_view rest = std::string_view(platform).substr(7);
          return osEcosystem("ubuntu", rest.substr(0, rest.find(' ')));
        }
        return {};
      }
      case Vendor::Debian:
        for (const auto& platform : platforms) {
          if (auto version = numberAfter(platform, "Debian GNU/Linux "); !version.empty()) {
            return osEcosystem("debian", version);
          }
        }
        return {};
      case Vendor::RedHat: {
        if (!rhel_release.empty()) return osEcosystem("rhel", rhel_release);
        for (const auto& platform : platforms) {
          auto version = numberAfter(platform, "Red Hat Enterprise Linux ");
          if (version.empty()) version = numberAfter(platform, "RHEL ");
          if (!version.empty()) return osEcosystem("rhel", version);
        }
        return {};
      }
      case Vendor::Mariner:
        return context_.mariner_release.empty() ? std::string()
                                                : osEcosystem("mariner", context_.mariner_release);
      case Vendor::AzureLinux:
        return context_.mariner_release.empty()
                   ? std::string()
                   : osEcosystem("azurelinux", context_.mariner_release);
      case Vendor::Unknown: break;
    }
    return {};
  }

  void merge(Advisory&& advisory) {
    auto [it, inserted] = advisories_.try_emplace(advisory.id);
    if (inserted) {
      it->second = std::move(advisory);
      return;
    }
    Advisory& into = it->second;
    for (auto& alias : advisory.aliases) addUnique(into.aliases, std::move(alias));
    for (auto& reference : advisory.references) addUnique(into.references, std::move(reference));
    for (auto& severity : advisory.severities) {
      if (std::find(into.severities.begin(), into.severities.end(), severity) ==
          into.severities.end()) {
        into.severities.push_back(std::move(severity));
      }
    }
    for (auto& package : advisory.affected) {
      if (std::find(into.affected.begin(), into.affected.end(), package) == into.affected.end()) {
        into.affected.push_back(std::move(package));
      }
    }
    if (into.published.empty()) into.published = advisory.published;
    if (advisory.modified > into.modified) into.modified = advisory.modified;
  }

  const Document& document_;
  FileContext context_;
  core::Diagnostics& diagnostics_;
  std::map<std::string, Advisory> advisories_;
  std::size_t counted_ = 0;
  std::size_t used_ = 0;
};

bool isBz2(std::string_view bytes) {
  return bytes.size() >= 4 && bytes.starts_with("BZh") && bytes[3] >= '1' && bytes[3] <= '9';
}

}  // namespace

bool detectOval(std::string_view path, std::string_view head) {
  if (isBz2(head)) {
    // A bzip2 block must be read whole before any output: judge by the name.
    return path.ends_with(".xml.bz2") && path.find("oval") != std::string_view::npos;
  }
  const auto root = head.find("<oval_definitions");
  return root != std::string_view::npos &&
         head.find("oval-definitions-5") != std::string_view::npos;
}

core::Result<OvalSummary> parseOvalDocument(std::string_view bytes, std::string_view where,
                                            const AdvisorySink& sink,
                                            core::Diagnostics& diagnostics) {
  if (bytes.size() > kMaxFeedFileBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", where, kMaxFeedFileBytes);
  }
  std::string buffer;
  if (isBz2(bytes)) {
    auto decompressed = decompressBz2(bytes, where);
    if (!decompressed) return tl::unexpected(decompressed.error());
    buffer = sanitize(*decompressed);
  } else {
    buffer = sanitize(bytes);
  }
  pugi::xml_document document;
  const auto parsed = document.load_buffer_inplace(buffer.data(), buffer.size(),
                                                   pugi::parse_default, pugi::encoding_utf8);
  pugi::xml_node root;
  for (auto it = document.first_child(); it; it = it.next_sibling()) {
    if (it.type() == pugi::node_element && localName(it) == "oval_definitions") root = it;
  }
  const auto definitions = child(root, "definitions");
  if (!definitions) {
    return core::fail(core::ErrorCode::Input, "{}: not OVAL definitions ({} at offset {})", where,
                      parsed.description(), parsed.offset);
  }
  if (!parsed) {
    diagnostics.add(std::string(kMalformedXml), fmt::format("{}@{}", where, parsed.offset),
                    fmt::format("{}; the definitions before it are kept", parsed.description()));
  }
  FileContext context{.where = where, .mariner_release = releaseFromFileName(where)};
  context.modified = rfc3339(child(child(root, "generator"), "timestamp").child_value());
  const Document index(root);
  Importer importer(index, std::move(context), diagnostics);
  OvalSummary summary;
  forChildren(definitions, "definition", [&](const pugi::xml_node& definition) {
    ++summary.definitions;
    importer.definition(definition);
  });
  summary.vulnerability_definitions = importer.counted();
  summary.used_definitions = importer.used();
  summary.advisories = importer.advisories();
  importer.deliver(sink);
  return summary;
}

core::Status parseOval(std::string_view bytes, std::string_view where, const AdvisorySink& sink,
                       core::Diagnostics& diagnostics) {
  auto summary = parseOvalDocument(bytes, where, sink, diagnostics);
  if (!summary) return tl::unexpected(summary.error());
  return {};
}

}  // namespace bulwark::vulndb::feeds
