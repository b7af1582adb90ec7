#include "server/web_assets.h"

#include <array>
#include <memory>
#include <string>
#include <utility>

namespace bulwark::server {
namespace {

using Response = httplib::Response;

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kAssetsFolder = "assets/";
constexpr std::string_view kFavicon = "favicon.svg";
// Vite names every file under assets/ by its content's hash: a name never changes meaning.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";
// Not hashed, but harmless when a day stale.
constexpr std::string_view kFaviconCache = "public, max-age=86400";

constexpr std::string_view kNoticePage =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bulwark</title>"
    "</head><body><h1>bulwark</h1><p>dashboard not built: run scripts/install-deps</p>"
    "<p>The API is served under <code>/api/v1</code> (docs/api.md).</p></body></html>\n";

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

void securityHeaders(Response& res) {
  res.set_header("Content-Security-Policy", std::string(kDashboardCsp));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  // The body differs by Accept-Encoding when cpp-httplib compresses it.
  res.set_header("Vary", "Accept-Encoding");
}

void sendFile(Response& res, const core::EmbeddedFile& file, std::string_view cache) {
  securityHeaders(res);
  res.set_header("Cache-Control", std::string(cache));
  res.status = 200;
  res.set_content(std::string(file.content), std::string(contentTypeFor(file.path)));
}

// The embedded files, looked up by path (a handful of them: a linear scan is enough).
class WebAssets {
 public:
  explicit WebAssets(std::span<const core::EmbeddedFile> files) : files_(files) {}

  [[nodiscard]] const core::EmbeddedFile* find(std::string_view path) const {
    for (const core::EmbeddedFile& file : files_) {
      if (file.path == path) return &file;
    }
    return nullptr;
  }

  void index(const RequestContext&, Response& res) const {
    if (const core::EmbeddedFile* page = find(kIndex)) return sendFile(res, *page, kRevalidate);
    securityHeaders(res);
    res.set_header("Cache-Control", std::string(kRevalidate));
    res.status = 200;
    res.set_content(std::string(kNoticePage), "text/html; charset=utf-8");
  }

  void asset(const RequestContext& context, Response& res) const {
    // {file} is one path segment: no '/', so no way out of assets/ (and nothing is read from
    // disk anyway).
    const std::string name = context.param("file");
    const core::EmbeddedFile* file = find(std::string(kAssetsFolder) + name);
    if (file == nullptr) {
      securityHeaders(res);
      return sendError(res, 404, "not_found", "no such asset");
    }
    sendFile(res, *file, kImmutable);
  }

  void favicon(const RequestContext&, Response& res) const {
    const core::EmbeddedFile* file = find(kFavicon);
    if (file == nullptr) {
      securityHeaders(res);
      return sendError(res, 404, "not_found", "no favicon in this build");
    }
    sendFile(res, *file, kFaviconCache);
  }

 private:
  std::span<const core::EmbeddedFile> files_;
};

}  // namespace

std::string_view contentTypeFor(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  }};
  for (const auto& [suffix, type] : kTypes) {
    if (endsWith(path, suffix)) return type;
  }
  return "application/octet-stream";
}

core::Status registerWebRoutes(Server& server, std::span<const core::EmbeddedFile> files) {
  using Handler = void (WebAssets::*)(const RequestContext&, Response&) const;
  struct Route {
    std::string_view pattern;
    Handler handler;
  };
  static constexpr std::array<Route, 3> kRoutes = {{{"/", &WebAssets::index},
                                                    {"/assets/{file}", &WebAssets::asset},
                                                    {"/favicon.svg", &WebAssets::favicon}}};
  auto assets = std::make_shared<WebAssets>(files);
  for (const Route& route : kRoutes) {
    const Handler handler = route.handler;
    auto added = server.addRoute("GET", route.pattern, Access::Public,
                                 [assets, handler](const RequestContext& context, Response& res) {
                                   ((*assets).*handler)(context, res);
                                 });
    if (!added) return added;
  }
  return {};
}

}  // namespace bulwark::server
