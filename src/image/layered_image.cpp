// Reads a layered image: walks layers in parallel, merges them in order.
#include <atomic>
#include <optional>
#include <thread>

#include "core/progress.h"
#include "image/source.h"

namespace bulwark::image {

namespace {

class LayeredImage final : public Image {
 public:
  LayeredImage(model::Target target, std::vector<LayerInput> layers, const SourceOptions& options)
      : layers_(std::move(layers)), options_(options) {
    target_ = std::move(target);
  }

  core::Result<FsView> readFiles(const PathFilter& filter, core::Diagnostics& diagnostics,
                                 bool show_progress) override {
    std::uint64_t total = 0;
    for (const auto& layer : target_.layers) total += layer.size;
    std::optional<core::Progress> progress;
    if (show_progress) progress.emplace("reading layers", total);
    std::vector<std::optional<core::Result<LayerChanges>>> results(layers_.size());
    unsigned threads = options_.parallelism != 0
                           ? options_.parallelism
                           : std::max(1U, std::thread::hardware_concurrency());
    // Content scanners (secrets, malware) run beside the walkers: one layer's files are
    // scanned while it is still being decompressed.
    std::optional<ScanPool> scan_pool;
    if (!filter.scanners().empty()) scan_pool.emplace(threads);
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      while (true) {
        const std::size_t i = next++;
        if (i >= layers_.size()) return;
        results[i] = walkLayer(layers_[i], filter, options_.limits, diagnostics,
                               progress ? &*progress : nullptr, scan_pool ? &*scan_pool : nullptr);
        if (!*results[i]) next = layers_.size();  // stop early: the image is unusable
      }
    };
    threads = std::min<unsigned>(threads, static_cast<unsigned>(layers_.size()));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& thread : pool) thread.join();
    if (scan_pool) scan_pool->wait();
    if (progress) progress->finish();

    FsView view;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (!results[i]) continue;
      if (!*results[i]) return tl::unexpected(results[i]->error());
    }
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (!results[i]) return core::fail(core::ErrorCode::Internal, "layer {} not read", i);
      const std::string& digest =
          target_.layers[i].digest.empty() ? target_.layers[i].diff_id : target_.layers[i].digest;
      applyLayer(view, std::move(**results[i]), digest);
    }
    return view;
  }

 private:
  std::vector<LayerInput> layers_;
  SourceOptions options_;
};

}  // namespace

std::unique_ptr<Image> makeLayeredImage(model::Target target, std::vector<LayerInput> layers,
                                        const SourceOptions& options) {
  return std::make_unique<LayeredImage>(std::move(target), std::move(layers), options);
}

void describeResolved(const ResolvedImage& image, model::Target& target) {
  target.manifest_digest = image.manifest_digest;
  target.config_digest = image.config.digest;
  target.created = image.created;
  target.os = image.platform.os;
  target.architecture = image.platform.architecture;
  target.config = image.runtime;
  target.layers.clear();
  for (std::size_t i = 0; i < image.layers.size(); ++i) {
    model::LayerInfo info;
    info.digest = image.layers[i].digest;
    info.diff_id = i < image.diff_ids.size() ? image.diff_ids[i] : std::string();
    info.size = image.layers[i].size > 0 ? static_cast<std::uint64_t>(image.layers[i].size) : 0;
    info.media_type = image.layers[i].media_type;
    if (image.history_created_by.size() == image.layers.size()) {
      info.created_by = image.history_created_by[i];
    }
    target.layers.push_back(std::move(info));
  }
}

}  // namespace bulwark::image
