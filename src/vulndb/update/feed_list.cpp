#include "vulndb/update/feed_list.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <set>

#include <yaml-cpp/yaml.h>

#include "core/text.h"

namespace bulwark::vulndb::update {

using core::ErrorCode;

namespace {

// The OSV ecosystems `bulwark db update` downloads by default: the distributions bulwark
// matches OS packages for and the language ecosystems of the generic OSV matcher. This is the
// one list; docs/db-update.md points here.
constexpr std::array<std::string_view, 13> kOsvEcosystems = {
    "Alpine",    "Debian", "Ubuntu",   "Go",        "Maven", "npm", "NuGet",
    "Packagist", "PyPI",   "RubyGems", "crates.io", "Hex",   "Pub",
};

bool hasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// Percent-encodes what a URL path segment cannot hold as is (OSV names have spaces:
// "Rocky Linux", "GitHub Actions").
std::string encodeSegment(std::string_view segment) {
  std::string out;
  for (const char c : segment) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '.' || c == '-' || c == '_' || c == '~' || c == ':') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

std::string scalar(const YAML::Node& node) {
  return node.IsDefined() && node.IsScalar() ? node.Scalar() : std::string();
}

}  // namespace

std::span<const std::string_view> defaultOsvEcosystems() { return kOsvEcosystems; }

core::Status checkFeedUrl(std::string_view url, bool allow_http) {
  if (url.size() > kMaxUrlBytes) {
    return core::fail(ErrorCode::Usage, "feed URL longer than {} bytes", kMaxUrlBytes);
  }
  if (hasControl(url) || url.find(' ') != std::string_view::npos) {
    return core::fail(ErrorCode::Usage, "feed URL '{}' contains spaces or control characters",
                      core::printable(url));
  }
  const std::string scheme = core::asciiLower(url.substr(0, url.find("://")));
  if (url.find("://") == std::string_view::npos || (scheme != "https" && scheme != "http")) {
    return core::fail(ErrorCode::Usage, "feed URL '{}' is not an http(s) URL",
                      core::printable(url));
  }
  if (scheme == "http" && !allow_http) {
    return core::fail(ErrorCode::Usage,
                      "feed URL '{}' is plain HTTP; use HTTPS, or --insecure for a test server "
                      "or a trusted mirror",
                      core::printable(url));
  }
  if (url.size() <= scheme.size() + 3) {
    return core::fail(ErrorCode::Usage, "feed URL '{}' has no host", core::printable(url));
  }
  return {};
}

core::Result<std::vector<FeedSpec>> osvFeeds(std::string_view base,
                                             const std::vector<std::string>& ecosystems) {
  std::string root(base);
  while (!root.empty() && root.back() == '/') root.pop_back();
  if (root.empty()) return core::fail(ErrorCode::Usage, "the mirror base URL is empty");
  std::vector<std::string> names;
  if (ecosystems.empty()) {
    names.assign(kOsvEcosystems.begin(), kOsvEcosystems.end());
  } else {
    for (const auto& requested : ecosystems) {
      const std::string_view name = core::trim(requested);
      if (name.empty() || hasControl(name) || name.find('/') != std::string_view::npos) {
        return core::fail(ErrorCode::Usage, "'{}' is not an OSV ecosystem name",
                          core::printable(requested));
      }
      const auto known = std::find_if(
          kOsvEcosystems.begin(), kOsvEcosystems.end(),
          [&](std::string_view e) { return core::asciiLower(e) == core::asciiLower(name); });
      names.emplace_back(known != kOsvEcosystems.end() ? *known : name);
    }
  }
  std::vector<FeedSpec> feeds;
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (!seen.insert(name).second) continue;
    feeds.push_back(
        {fmt::format("osv/{}", name), fmt::format("{}/{}/all.zip", root, encodeSegment(name))});
  }
  return feeds;
}

void rewriteOsvBase(std::vector<FeedSpec>& feeds, std::string_view base) {
  std::string root(base);
  while (!root.empty() && root.back() == '/') root.pop_back();
  const std::string prefix = std::string(kOsvBaseUrl) + "/";
  for (auto& feed : feeds) {
    if (feed.url.starts_with(prefix)) feed.url = root + feed.url.substr(kOsvBaseUrl.size());
  }
}

FeedSpec feedFromUrl(std::string_view url) {
  std::string_view path = url;
  if (const auto scheme = path.find("://"); scheme != std::string_view::npos) {
    path.remove_prefix(scheme + 3);
  }
  if (const auto query = path.find_first_of("?#"); query != std::string_view::npos) {
    path = path.substr(0, query);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  auto parts = core::split(path, '/');
  std::string name;
  if (!parts.empty()) name = std::string(parts.back());
  // OSV's layout: the ecosystem is the folder, every archive is all.zip.
  if (name == "all.zip" && parts.size() >= 3) name = "osv/" + std::string(parts[parts.size() - 2]);
  if (name.empty()) name = std::string(url);
  return {core::printable(name), std::string(url)};
}

core::Result<std::vector<FeedSpec>> parseFeedsFile(std::string_view text, std::string_view where) {
  if (text.size() > kMaxFeedsFileBytes) {
    return core::fail(ErrorCode::Limit, "{}: larger than {} bytes", where, kMaxFeedsFileBytes);
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    return core::fail(ErrorCode::Input, "{}: not YAML: {}", where, error.what());
  } catch (const std::exception& error) {  // yaml-cpp's depth guard and allocation failures
    return core::fail(ErrorCode::Input, "{}: not YAML: {}", where, error.what());
  }
  try {
    YAML::Node list = root;
    if (root.IsMap()) list = root["feeds"];
    if (!list.IsDefined() || !list.IsSequence()) {
      return core::fail(ErrorCode::Input, "{}: expected a list of feeds ({{name, url}})", where);
    }
    if (list.size() > kMaxFeeds) {
      return core::fail(ErrorCode::Limit, "{}: more than {} feeds", where, kMaxFeeds);
    }
    std::vector<FeedSpec> feeds;
    std::set<std::string> urls;
    std::size_t index = 0;
    for (const auto& entry : list) {
      ++index;
      FeedSpec feed;
      if (entry.IsScalar()) {
        feed = feedFromUrl(entry.Scalar());
      } else if (entry.IsMap()) {
        feed.url = scalar(entry["url"]);
        feed.name = scalar(entry["name"]);
        if (feed.name.empty() && !feed.url.empty()) feed.name = feedFromUrl(feed.url).name;
      }
      if (feed.url.empty()) {
        return core::fail(ErrorCode::Input, "{}: feed #{} has no url", where, index);
      }
      if (feed.url.size() > kMaxUrlBytes || feed.name.size() > kMaxUrlBytes ||
          hasControl(feed.name)) {
        return core::fail(ErrorCode::Input, "{}: feed #{} has an unusable name or url", where,
                          index);
      }
      if (!urls.insert(feed.url).second) {
        return core::fail(ErrorCode::Input, "{}: feed #{}: {} is listed twice", where, index,
                          core::printable(feed.url));
      }
      feeds.push_back(std::move(feed));
    }
    if (feeds.empty()) return core::fail(ErrorCode::Input, "{}: lists no feeds", where);
    return feeds;
  } catch (const YAML::Exception& error) {
    return core::fail(ErrorCode::Input, "{}: {}", where, error.what());
  }
}

core::Result<std::vector<FeedSpec>> loadFeedsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(ErrorCode::NotFound, "{}: cannot open the feeds file", path);
  std::string text(kMaxFeedsFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return core::fail(ErrorCode::Io, "{}: cannot read the feeds file", path);
  return parseFeedsFile(text, path);
}

}  // namespace bulwark::vulndb::update
