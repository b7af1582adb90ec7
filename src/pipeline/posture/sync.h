// The posture sync (docs/dev/posture-design.md §2.4): keeps the posture state in step with
// what scans, re-evaluations and runtime alerts write to the store — by any process sharing it
// — by following the store's change feeds from watermarks kept in `settings`:
//
//   images   a push (images.last_pushed): the registry → repository → image resources, the
//            image's tags and scan figures, its `vuln:severe`, `vuln:fixable` and `scan`
//            assessments (not-evaluated until scanned)
//   results  a scan saved or a re-evaluation (results.evaluated_at): the same for every image
//            row of the digest, and `vuln:running` of every container running it
//   alerts   an alert stored (alerts.received_ms): resolved to its resource (the container by
//            its id on its host, else the host; Kubernetes audit alerts: the namespace, else
//            the cluster of the agent), which gets the alert's rule assessment and `runtime`
//   sensors  agents' and the audit webhook's reports (posture_sensors), every 60 s: `sensor`
//            of each host and cluster, and whether their `runtime` can be healthy
//
// Every 60 s the open alert assessments are looked at again (an alert window passed, an alert
// dismissed), and so are images waiting for their scan (overdue after the scan grace); every
// image hourly (a scan older than scan_max_age). After any change the secure score is recomputed
// and a history point appended when a figure changed, and at least hourly. A new catalogue (its
// SHA-256 differs from the setting's) restarts the feeds from the beginning. A lease
// (Store::takeLease) lets one server of several sharing a store sync at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "core/result.h"
#include "posture/assess.h"
#include "posture/catalogue.h"
#include "posture/score.h"
#include "store/store.h"

namespace bulwark::pipeline {

struct PostureSyncOptions {
  std::string holder;                                            // the lease holder: "host:pid"
  std::chrono::milliseconds interval{std::chrono::seconds(10)};  // between passes, unwoken
  std::chrono::milliseconds debounce{std::chrono::seconds(2)};   // a wake-up waits this long
  std::chrono::milliseconds lease{std::chrono::seconds(90)};
  std::int64_t page = 500;         // rows per feed page
  posture::AssessContext windows;  // alert_window, sensor_timeout, scan_max_age, scan_grace
  // Ingest token name → cluster, for Kubernetes audit alerts (posture.agents); else the
  // token's name is the cluster's.
  std::map<std::string, std::string> agent_clusters;
};

struct PostureSyncStats {
  bool leader = false;          // this pass held the lease
  std::int64_t images = 0;      // image rows assessed
  std::int64_t containers = 0;  // containers whose running image was assessed again
  std::int64_t alerts = 0;      // alerts resolved
  std::int64_t changes = 0;     // assessment changes written
  bool score_appended = false;
  std::optional<double> percent;  // the secure score after the pass
};

// `vuln:running` of each container (others are skipped): as `vuln:severe` of the scan of the
// digest in its `image_digest` attribute; not-evaluated when that digest is in no monitored
// registry or not scanned.
core::Result<std::vector<model::Assessment>> assessRunningContainers(
    store::Store& store, const posture::Catalogue& catalogue,
    std::span<const model::Resource> containers, const posture::AssessContext& context);

class PostureSync {
 public:
  PostureSync(store::Store& store, const posture::Catalogue& catalogue, PostureSyncOptions options);

  // One pass at `now`; does nothing (leader false) when another holder has the lease.
  core::Result<PostureSyncStats> runOnce(store::Millis now);
  // Passes until `stop`: every interval, or a debounce after wake().
  void run(const std::stop_token& stop);
  // Something changed (a scan saved, alerts stored, an exemption): a pass soon.
  void wake();

 private:
  core::Status syncImages(store::Millis now, PostureSyncStats& stats);
  core::Status syncResults(store::Millis now, PostureSyncStats& stats);
  core::Status syncAlerts(store::Millis now, PostureSyncStats& stats);
  core::Status recheckOpenAlerts(store::Millis now, PostureSyncStats& stats);
  // `sensor` of every host and cluster from the heartbeats (posture_sensors), then their
  // `runtime`; keeps live_roots_ for the runtime of what lies below them.
  core::Status syncSensors(store::Millis now, PostureSyncStats& stats);
  // `scan` again for images waiting for theirs, or (all) for every registry image.
  core::Status recheckImages(store::Millis now, bool all, PostureSyncStats& stats);
  // Adds an image row's resources and assessments to images_; flushImages writes them.
  core::Status assessImage(const store::ImageKey& image, store::Millis now,
                           PostureSyncStats& stats);
  core::Status flushImages(PostureSyncStats& stats);
  core::Status assessRunning(const std::vector<std::string>& digests, store::Millis now,
                             PostureSyncStats& stats);
  core::Status assessAlertsOf(const std::string& resource_id, store::Millis now,
                              PostureSyncStats& stats);
  core::Result<std::string> resolveAlert(const store::AlertRecord& alert, store::Millis now);
  core::Status updateScore(store::Millis now, PostureSyncStats& stats);
  core::Status restartOnNewCatalogue();

  store::Store& store_;
  const posture::Catalogue& catalogue_;
  PostureSyncOptions options_;
  store::Millis last_alert_check_ = 0;
  store::Millis last_image_check_ = 0;
  std::set<std::string, std::less<>> assessed_;         // images assessed in this pass
  store::AssessmentBatch images_;                       // image assessments not written yet
  std::set<std::string, std::less<>> image_batch_ids_;  // the resources in images_
  std::map<std::string, std::optional<store::Registry>, std::less<>> registries_;  // this pass
  std::set<std::string, std::less<>> live_roots_;  // hosts and clusters a live sensor watches
  std::optional<store::ScorePoint> last_total_;    // the last point appended (or read)
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool woken_ = false;
};

}  // namespace bulwark::pipeline
