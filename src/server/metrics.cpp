#include "server/metrics.h"

#include <mutex>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace bulwark::server {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("http_requests_total")
          .Help("HTTP requests answered, by method, route pattern and status")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& request_duration =
      prometheus::BuildHistogram()
          .Name("http_request_duration_seconds")
          .Help("Time to answer an HTTP request, by route pattern")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& scans = prometheus::BuildCounter()
                                                       .Name("scans_total")
                                                       .Help("Scans finished, by result")
                                                       .Register(*registry);
  prometheus::Family<prometheus::Histogram>& scan_duration = prometheus::BuildHistogram()
                                                                 .Name("scan_duration_seconds")
                                                                 .Help("Time to scan one image")
                                                                 .Register(*registry);
  prometheus::Family<prometheus::Gauge>& jobs =
      prometheus::BuildGauge().Name("jobs").Help("Jobs in the queue by state").Register(*registry);
  prometheus::Family<prometheus::Counter>& k8s_audit_events =
      prometheus::BuildCounter()
          .Name("k8s_audit_events_total")
          .Help("Kubernetes audit events received at /k8s-audit: evaluated or skipped")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& k8s_audit_alerts =
      prometheus::BuildCounter()
          .Name("k8s_audit_alerts_total")
          .Help("Alerts the runtime rules raised on Kubernetes audit events")
          .Register(*registry);
  std::mutex jobs_mutex;  // serializes setJobCounts (reset + set)
};

namespace {

const prometheus::Histogram::BucketBoundaries& requestBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets{
      0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

const prometheus::Histogram::BucketBoundaries& scanBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets{0.5, 1,  2,   5,   10,
                                                                30,  60, 120, 300, 600};
  return kBuckets;
}

}  // namespace

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {
  impl_->k8s_audit_events.Add({{"result", "evaluated"}});
  impl_->k8s_audit_events.Add({{"result", "skipped"}});
  impl_->k8s_audit_alerts.Add({});
  // Every series present from the start, so a dashboard sees zeros rather than gaps.
  for (auto state : {store::JobState::Queued, store::JobState::Running, store::JobState::Done,
                     store::JobState::Failed, store::JobState::Dead}) {
    impl_->jobs.Add({{"state", std::string(store::toString(state))}}).Set(0);
  }
}

Metrics::~Metrics() = default;

void Metrics::countRequest(std::string_view method, std::string_view route, int status,
                           double seconds) {
  impl_->requests
      .Add({{"method", std::string(method)},
            {"route", std::string(route)},
            {"status", std::to_string(status)}})
      .Increment();
  impl_->request_duration.Add({{"route", std::string(route)}}, requestBuckets()).Observe(seconds);
}

void Metrics::countScan(std::string_view result, double seconds) {
  impl_->scans.Add({{"result", std::string(result)}}).Increment();
  impl_->scan_duration.Add({}, scanBuckets()).Observe(seconds);
}

void Metrics::countK8sAudit(std::uint64_t evaluated, std::uint64_t skipped, std::uint64_t alerts) {
  impl_->k8s_audit_events.Add({{"result", "evaluated"}}).Increment(static_cast<double>(evaluated));
  impl_->k8s_audit_events.Add({{"result", "skipped"}}).Increment(static_cast<double>(skipped));
  impl_->k8s_audit_alerts.Add({}).Increment(static_cast<double>(alerts));
}

void Metrics::setJobCounts(const std::vector<std::pair<store::JobState, std::int64_t>>& counts) {
  std::lock_guard lock(impl_->jobs_mutex);
  for (auto state : {store::JobState::Queued, store::JobState::Running, store::JobState::Done,
                     store::JobState::Failed, store::JobState::Dead}) {
    double value = 0;
    for (const auto& [counted, n] : counts) {
      if (counted == state) value += static_cast<double>(n);
    }
    impl_->jobs.Add({{"state", std::string(store::toString(state))}}).Set(value);
  }
}

std::string Metrics::serialize() const {
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace bulwark::server
