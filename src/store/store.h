// Persistence of the service (`bulwark serve`, `bulwark worker`): tokens, registries, the scan
// job queue, images with their tags, scan results per manifest digest (inventory, findings,
// metadata), finding history from re-evaluation, quarantine decisions, runtime alerts, and the
// posture state (resources, assessments and their history, exemptions, score history, runs,
// inputs, sensors, schedules, leases; docs/dev/posture-design.md §5.4).
//
// One interface, two backends that pass the same test suite (tests/unit/store/):
//   SQLite      the embedded default, one file in WAL mode ($XDG_DATA_HOME/bulwark/bulwark.db);
//   PostgreSQL  shared by several servers and workers; jobs are claimed with
//               SELECT … FOR UPDATE SKIP LOCKED.
// Schema migrations are numbered and applied at open, each in its own transaction; the applied
// version is kept in the schema_version table. A database newer than the program is refused.
//
// The store knows nothing of images, matching or JSON: inventories and finding details arrive
// as opaque text the pipeline encodes. Times are Unix milliseconds (UTC).
// Every method is thread-safe (a backend serializes or pools connections as it needs).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/advisory.h"
#include "model/check.h"
#include "model/posture.h"

namespace bulwark::store {

using Millis = std::int64_t;  // Unix time in milliseconds
Millis nowMillis();

// ---- tokens ---------------------------------------------------------------------------------

enum class Role { Admin, Reader, Ingest };
std::string_view toString(Role role);  // "admin", "reader", "ingest"
core::Result<Role> parseRole(std::string_view text);

struct Token {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::Reader;
  std::string secret_hash;  // hex SHA-256 of the secret; the secret itself is never stored
  Millis created_at = 0;
  std::optional<Millis> expires_at;
  bool revoked = false;
};

// ---- registries -----------------------------------------------------------------------------

struct Registry {
  std::int64_t id = 0;
  std::string name;  // unique, chosen by the user: "local", "harbor-prod"
  std::string url;   // "https://registry.example.com:5000" (scheme + host[:port])
  std::string username;
  std::string password_sealed;  // encrypted at rest by the caller (core/secret_box.h); "" = none
  bool insecure = false;        // plain HTTP / unverified TLS allowed
  std::string ca_file;          // PEM bundle to trust instead of the system CAs
  std::int64_t poll_interval_s = 0;  // 0: webhooks only, never polled
  Millis created_at = 0;
  std::optional<Millis> last_polled_at;
};

// ---- jobs -----------------------------------------------------------------------------------

// Bench: evaluate a posted posture snapshot (docs/dev/posture-design.md §1.4): `repository` is
// the target's resource key, `digest` the stored input's SHA-256, `registry` empty.
enum class JobKind { Scan, Promote, Bench };
enum class JobState { Queued, Running, Done, Failed, Dead };
std::string_view toString(JobKind kind);    // "scan", "promote", "bench"
std::string_view toString(JobState state);  // "queued", "running", "done", "failed", "dead"
core::Result<JobKind> parseJobKind(std::string_view text);
core::Result<JobState> parseJobState(std::string_view text);

struct JobRequest {
  JobKind kind = JobKind::Scan;
  std::string registry;    // Registry::name
  std::string repository;  // "library/debian"
  std::string digest;      // manifest digest ("sha256:…"); for an index, one job per platform
  std::string tag;         // the tag pushed, when known ("" for a digest-only push)
  std::string platform;    // "linux/amd64" when the digest is an index's child; "" otherwise
  std::string source;      // who asked: "webhook:distribution", "poll", "api", "harbor"
  std::string target_repository;  // Promote: where the image goes ("release/app")
  int max_attempts = 5;
  // The index this platform child belongs to ("sha256:…"), set on the Scan jobs an index's Scan
  // job enqueues per platform; "" otherwise.
  std::string parent_digest;
  // The job that enqueued this one: the index's Scan job, for its platform children and for the
  // index's Promote job; 0 = none. A job enqueues a given piece of work at most once (see
  // Store::enqueue).
  std::int64_t parent_job_id = 0;
};

struct Job {
  std::int64_t id = 0;
  JobRequest request;
  JobState state = JobState::Queued;
  int attempts = 0;  // claims so far
  std::string last_error;
  std::string worker;  // who holds or last held it
  Millis created_at = 0;
  Millis updated_at = 0;
  Millis run_after = 0;      // not claimed before (back-off)
  Millis lease_expires = 0;  // a Running job whose lease passed is claimable again
  std::optional<Millis> started_at;
  std::optional<Millis> finished_at;
};

struct EnqueueResult {
  std::int64_t job_id = 0;
  bool created = false;  // false: an identical job was already queued or running (deduplicated)
};

struct JobFilter {
  std::optional<JobState> state;
  std::string registry;
  std::string digest;
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

// ---- images and results ---------------------------------------------------------------------

struct SeverityCounts {
  std::int64_t critical = 0, high = 0, medium = 0, low = 0, negligible = 0, unknown = 0;
  [[nodiscard]] std::int64_t total() const {
    return critical + high + medium + low + negligible + unknown;
  }
  void add(model::Severity severity, std::int64_t n = 1);
  friend bool operator==(const SeverityCounts&, const SeverityCounts&) = default;
};

// One finding as stored: the key fields the API filters and sorts on, plus the whole finding as
// JSON (`detail_json`, encoded by the pipeline). Identity within a digest: (vulnerability_id,
// package_name, installed_version).
struct FindingRecord {
  std::string vulnerability_id;
  std::string package_name;
  std::string installed_version;
  std::string fixed_version;
  model::Severity severity = model::Severity::Unknown;
  std::string detail_json;
  Millis first_seen = 0;  // set by the store: when this finding first appeared for the digest
};

struct ScanMetadata {
  std::string db_build_id;
  std::string bulwark_version;
  std::int64_t duration_ms = 0;
  Millis scanned_at = 0;    // when the image was read
  Millis evaluated_at = 0;  // when the findings were last matched (scan or re-evaluation)
  std::string os;           // "debian 12"
  std::string platform;     // "linux/amd64"
  std::int64_t package_count = 0;
};

// A scan's output for one manifest digest.
struct ScanResult {
  std::string digest;
  std::string inventory_json;  // the pipeline's lossless inventory encoding
  std::vector<FindingRecord> findings;
  ScanMetadata metadata;
};

enum class FindingChangeKind { New, Resolved };
std::string_view toString(FindingChangeKind kind);  // "new", "resolved"

struct FindingChange {
  std::string digest;
  FindingChangeKind kind = FindingChangeKind::New;
  std::string vulnerability_id;
  std::string package_name;
  std::string installed_version;
  model::Severity severity = model::Severity::Unknown;
  std::string db_build_id;  // the database that caused it
  Millis at = 0;
};

struct ImageRecord {
  std::string registry;
  std::string repository;
  std::string digest;
  std::vector<std::string> tags;  // sorted
  Millis first_seen = 0;
  Millis last_pushed = 0;
  std::optional<ScanMetadata> scan;  // nullopt: never scanned (or the scan failed)
  SeverityCounts counts;
};

struct RepositorySummary {
  std::string registry;
  std::string repository;
  std::int64_t images = 0;  // distinct digests
  std::int64_t scanned = 0;
  SeverityCounts counts;  // summed over the repository's scanned digests
  Millis last_pushed = 0;
};

struct RegistrySummary {
  Registry registry;
  std::int64_t repositories = 0;
  std::int64_t images = 0;
  std::int64_t scanned = 0;
  SeverityCounts counts;
};

struct FindingQuery {
  std::string digest;
  std::optional<model::Severity> min_severity;
  bool fixable_only = false;
  std::string search;             // substring of vulnerability id or package name
  std::string sort = "severity";  // "severity" (desc, then id), "id", "package", "first_seen"
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

struct FindingPage {
  std::vector<FindingRecord> findings;
  std::int64_t total = 0;  // matching the query, before limit/offset
};

// ---- quarantine -----------------------------------------------------------------------------

struct QuarantineDecision {
  std::string registry;
  std::string repository;  // where the image was pushed ("quarantine/app")
  std::string digest;
  std::string target_repository;  // "release/app"
  std::string tag;
  bool promoted = false;
  std::string reason;  // why it stays, or "policy passed"
  Millis at = 0;
};

// ---- runtime alerts (docs/dev/runtime-design.md §5.3) --------------------------------------

// One alert as `bulwark detect` or an agent reported it. Identity: alert_id (a UUID the sender
// chooses, so a retried batch is stored once). `priority` is Falco's priority as a level where
// more is worse: Debug 0, Informational 1, Notice 2, Warning 3, Error 4, Critical 5, Alert 6,
// Emergency 7. tags_json (a JSON array of strings) and fields_json (a JSON object) are stored as
// the sender gave them, after the API validated them.
struct AlertRecord {
  std::string alert_id;
  Millis time_ms = 0;      // when the event happened
  Millis received_ms = 0;  // when the server stored it
  std::string rule;
  std::string rule_id;  // bulwark.id ("" for rules without one)
  int priority = 0;
  std::string source;  // "syscall", "k8s_audit", …
  std::string host;    // hostname
  std::string agent;   // the ingest token's name that sent it
  std::string container_id;
  std::string container_image;
  std::string k8s_ns;
  std::string k8s_pod;
  std::string tags_json = "[]";
  std::string output;
  std::string fields_json = "{}";
  bool simulated = false;
  // Triage (schema 4): stored "new" until setAlertStatus; addAlerts ignores these fields.
  model::AlertStatus status = model::AlertStatus::New;
  std::optional<Millis> status_at;
  std::string status_by;       // the token's name that set the status
  std::string resource_id;     // the posture resource the alert concerns ("" = not resolved yet)
  std::string status_comment;  // why the status was set (schema 5; "" = none)
  friend bool operator==(const AlertRecord&, const AlertRecord&) = default;
};

struct AlertInsertResult {
  std::int64_t inserted = 0;
  std::int64_t duplicates = 0;  // alert_ids already stored (or repeated in the batch)
};

// Newest first: by (time_ms, alert_id) descending. Every filter is optional ("" / nullopt).
struct AlertQuery {
  std::optional<Millis> since;  // time_ms >= since
  std::optional<Millis> until;  // time_ms < until
  std::string rule;
  std::optional<int> priority_min;  // priority >= (at least as severe)
  std::string host;
  std::string container;  // container_id
  std::string k8s_ns;
  std::string tag;  // one of the tags
  std::optional<model::AlertStatus> status;
  std::string resource_id;  // the posture resource the alert was resolved to
  std::int64_t limit = 100;
  // Cursor: the (time_ms, alert_id) of the last alert of the previous page; the page continues
  // strictly after it.
  std::optional<std::pair<Millis, std::string>> after;
};

struct AlertPage {
  std::vector<AlertRecord> alerts;
  bool more = false;  // another page follows the last alert
};

enum class AlertGroup { Rule, Host, Priority };

struct AlertCount {
  std::string key;  // the rule, the host, or the priority level as decimal text
  std::int64_t count = 0;
  Millis last_ms = 0;  // newest time_ms in the group
};

// The alerts of one UTC day (its first millisecond) and priority.
struct AlertDayCount {
  Millis day = 0;
  int priority = 0;
  std::int64_t count = 0;
  friend bool operator==(const AlertDayCount&, const AlertDayCount&) = default;
};

// ---- posture (docs/dev/posture-design.md §1, §2, §4; schema 4) ----------------------------

// One write of posture state: the resources a run, a sync or a scan saw and their assessments.
//
// Resources are upserted by id (the key is unique): first_seen is kept from the first sighting
// (0: `at`), last_seen never moves back (0: `at`), the rest is the batch's, gone_at is cleared.
// A parent must be in the batch (before or after its child) or stored already; the store keeps
// each resource's `path`, "/<root id>/…/<own id>/", for lookups by ancestry.
//
// Assessments are upserted by (resource_id, source); status_since is kept while the status stays
// and set to `at` when it changes; exempt_id is set by the store from the active exemptions.
// With a `scope_id` (replace-scope), a resource of the batch inside the scope's subtree loses its
// stored assessments of `kinds` that the batch does not have; resources of the subtree the batch
// does not have keep theirs, and when `complete` they are marked gone (gone_at = at).
// Each appearance, status change and removal is a change row (AssessmentChange).
// Ids must be resource ids (16 lower-case hex); otherwise nothing is written (Input).
struct AssessmentBatch {
  std::vector<model::Resource> resources;
  std::vector<model::Assessment> assessments;
  std::string scope_id;  // "": upsert only
  std::vector<model::SourceKind> kinds = {model::SourceKind::Check};
  bool complete = false;  // a complete run of the scope: unseen descendants are gone
  // With `complete`: only unseen descendants of these types are gone (empty: of every type) —
  // a cluster's manifest run says nothing of the nodes its node runs report.
  std::vector<model::ResourceType> gone_types;
  std::string cause;  // of the change rows: "run:12", "scan", "alert", "reevaluate"
  Millis at = 0;
};

struct ApplyResult {
  std::int64_t resources = 0;    // upserted
  std::int64_t assessments = 0;  // upserted
  std::int64_t removed = 0;      // assessments removed by replace-scope
  std::int64_t changes = 0;      // change rows written
  std::int64_t gone = 0;         // resources newly marked gone
};

// A resource with what the store derives: its ancestry and its own roll-up over its
// non-exempt assessments (not-applicable when it has none).
struct ResourceRecord {
  model::Resource resource;
  std::string path;                                     // "/<root>/…/<id>/"
  model::Health health = model::Health::NotApplicable;  // worst status
  std::int64_t unhealthy = 0;                           // recommendations unhealthy on it
  model::Severity severity = model::Severity::Unknown;  // worst unhealthy assessment's
};

// Every filter is optional. Sorts: "name" (then id), "health" (worst first, then name, id),
// "last_seen" (newest first, then id), "unhealthy" (most first, then name, id).
struct ResourceQuery {
  std::vector<model::ResourceType> types;  // any of them
  std::optional<std::string> parent_id;    // direct children ("" = roots)
  std::string scope_id;                    // the resource and its descendants
  std::optional<model::Health> health;
  std::string search;  // case-insensitive substring of the name or key (no wildcards)
  // Labels the resource has, every one with exactly this value (byte for byte; "" is a value).
  std::map<std::string, std::string> labels;
  bool include_gone = false;
  std::string sort = "name";
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

struct ResourcePage {
  std::vector<ResourceRecord> resources;
  std::int64_t total = 0;  // matching, before limit/offset
};

// Every filter is optional. Sorts: "resource" (resource_id, source), "severity" (status, then
// severity, then the resource's name), "name" (the resource's name), "since" (status_since); the
// last three end with (resource_id, source) ascending. `descending` turns the sort's own keys
// around (both keys of "resource"). Input for another sort.
struct AssessmentQuery {
  std::string resource_id;  // one resource
  std::string scope_id;     // a resource and its descendants
  std::string recommendation;
  std::string control;
  std::optional<model::Health> status;
  std::optional<model::SourceKind> kind;
  std::optional<bool> exempt;
  std::vector<model::ResourceType> resource_types;  // the resource is any of them
  std::string search;  // case-insensitive substring of the resource's name or key
  bool include_gone = false;
  std::string sort = "resource";
  bool descending = false;
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

struct AssessmentPage {
  std::vector<model::Assessment> assessments;
  std::int64_t total = 0;
};

// A row of posture_assessment_changes. from/to are nullopt when the assessment appeared or was
// removed.
struct AssessmentChange {
  std::int64_t id = 0;
  std::string resource_id;
  std::string source;
  std::string recommendation;
  std::optional<model::Health> from;
  std::optional<model::Health> to;
  std::string cause;
  Millis at = 0;
};

// The SQL count of posture::countControls / countRecommendations (src/posture/score.h), over
// resources that are not gone; one row per control or recommendation that has an assessment,
// ordered by id. (The store cannot use src/posture's types: store → model.)
struct PostureControlCount {
  std::string control;
  std::int64_t healthy = 0, unhealthy = 0, not_evaluated = 0, exempt = 0;
  friend bool operator==(const PostureControlCount&, const PostureControlCount&) = default;
};

struct PostureRecommendationCount {
  std::string recommendation;
  std::int64_t healthy = 0, unhealthy = 0, not_evaluated = 0, not_applicable = 0, exempt = 0;
  std::int64_t unhealthy_only = 0;
  friend bool operator==(const PostureRecommendationCount&,
                         const PostureRecommendationCount&) = default;
};

// Ordered by id.
struct ExemptionQuery {
  std::string recommendation;
  std::string scope_id;
  std::optional<Millis> active_at;    // only those neither revoked nor expired then
  std::optional<Millis> inactive_at;  // only those revoked or expired then
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

// One point of the secure score's history; control "" is the total.
struct ScorePoint {
  std::string control;
  Millis at = 0;
  double score = 0;
  double max = 0;
  std::int64_t healthy = 0;
  std::int64_t unhealthy = 0;
  friend bool operator==(const ScorePoint&, const ScorePoint&) = default;
};

// A runtime sensor's last report (an agent's batch or heartbeat, the audit webhook), per agent
// and host; `cluster` for Kubernetes audit sources.
struct SensorRecord {
  std::string agent;
  std::string host;
  std::string cluster;
  Millis last_seen = 0;
  friend bool operator==(const SensorRecord&, const SensorRecord&) = default;
};

// When a monitored target (a posture resource key: "host:local", "cluster:prod") runs next.
struct ScheduleRecord {
  std::string target_key;
  Millis next_run_at = 0;
  std::int64_t last_run_id = 0;
  friend bool operator==(const ScheduleRecord&, const ScheduleRecord&) = default;
};

// A bench run or a sync (docs/dev/posture-design.md §1.4, §5.2): what ran on which target.
struct PostureRun {
  std::int64_t id = 0;
  std::string kind;        // "docker", "k8s", "node", "sync"
  std::string target_key;  // "host:web-1", "cluster:prod"
  std::string source;      // "serve", "agent:web-1", "api"
  std::string input_sha256;
  Millis started_at = 0;
  std::optional<Millis> finished_at;
  std::string status = "running";   // "running", "done", "failed"
  std::string summary_json = "{}";  // HostSummary / ClusterSummary as the pipeline encodes it
  std::int64_t results = 0;
  std::string diagnostics_json = "[]";
  friend bool operator==(const PostureRun&, const PostureRun&) = default;
};

// Newest first (started_at, then id); every filter optional.
struct PostureRunQuery {
  std::string target_key;
  std::string kind;
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

// An image configuration check's result for a manifest digest (BW-IMG-*), kept with the scan.
struct ResultCheck {
  std::string check_id;
  model::CheckStatus status = model::CheckStatus::NotEvaluated;
  model::Severity severity = model::Severity::Unknown;
  std::string detail_json = "{}";  // the CheckResult as the pipeline encodes it
  friend bool operator==(const ResultCheck&, const ResultCheck&) = default;
};

// A snapshot posted for evaluation (docs/dev/posture-design.md §1.4), kept under its SHA-256
// (stored zstd-compressed) until its bench job is done.
struct PostureInput {
  std::string sha256;
  std::string schema;  // "bulwark.docker-snapshot/v1", …
  std::string target_key;
  std::string body;
  Millis received_at = 0;
  friend bool operator==(const PostureInput&, const PostureInput&) = default;
};

// A position in one of the posture sync's change feeds (docs/dev/posture-design.md §2.4): the
// feed continues strictly after (at, key) in (at, key) order. The last row of a page is the
// next mark, so rows of equal time are never skipped between pages.
struct FeedMark {
  Millis at = 0;
  std::string key;  // results: the digest; alerts: the alert id
  friend bool operator==(const FeedMark&, const FeedMark&) = default;
};

// An image row of the images feed, ordered by (at = last_pushed, registry, repository, digest);
// a row is its own mark.
struct ImageKey {
  std::string registry;
  std::string repository;
  std::string digest;
  Millis at = 0;
  friend bool operator==(const ImageKey&, const ImageKey&) = default;
};

inline constexpr std::int64_t kMaxFeedPage = 10000;

// ---- the interface --------------------------------------------------------------------------

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite", "postgres"
  [[nodiscard]] virtual std::string_view backend() const = 0;
  // The schema version after migrations (kSchemaVersion when open succeeded).
  virtual core::Result<int> schemaVersion() = 0;
  // A cheap round trip (for /readyz).
  virtual core::Status ping() = 0;

  // Tokens. `secret_hash` is unique.
  virtual core::Result<Token> createToken(std::string_view name, Role role,
                                          std::string_view secret_hash,
                                          std::optional<Millis> expires_at) = 0;
  virtual core::Result<std::optional<Token>> findToken(std::string_view secret_hash) = 0;
  virtual core::Result<std::vector<Token>> listTokens() = 0;
  virtual core::Status revokeToken(std::int64_t id) = 0;  // NotFound when there is none

  // Registries. Names are unique (ErrorCode::Input when taken).
  virtual core::Result<Registry> addRegistry(const Registry& registry) = 0;
  virtual core::Result<std::optional<Registry>> findRegistry(std::string_view name) = 0;
  virtual core::Result<std::vector<Registry>> listRegistries() = 0;
  virtual core::Status removeRegistry(std::string_view name) = 0;  // NotFound when there is none
  virtual core::Status markPolled(std::string_view name, Millis at) = 0;

  // Jobs. Enqueue deduplicates on (kind, registry, repository, digest, target_repository) among
  // queued and running jobs. A request with a parent_job_id is also deduplicated against every
  // job, in any state, with the same key and parent_job_id: however often (and by however many
  // workers at once) a job enqueues the same work, it exists once.
  virtual core::Result<EnqueueResult> enqueue(const JobRequest& request, Millis now) = 0;
  // Claims the oldest claimable job: Queued with run_after <= now, or Running with an expired
  // lease (a worker that died). Sets Running, worker, lease_expires = now + lease, attempts + 1.
  // Two concurrent claimers never get the same job.
  virtual core::Result<std::optional<Job>> claimJob(std::string_view worker, Millis now,
                                                    Millis lease_ms) = 0;
  // Extends the lease of a job the worker still holds (false: it lost the job).
  virtual core::Result<bool> renewLease(std::int64_t job_id, std::string_view worker, Millis now,
                                        Millis lease_ms) = 0;
  virtual core::Status completeJob(std::int64_t job_id, std::string_view worker, Millis now) = 0;
  // A failed attempt: back to Queued with run_after = retry_at, or Dead when attempts reached
  // max_attempts (or retry_at is nullopt: a permanent failure).
  virtual core::Status failJob(std::int64_t job_id, std::string_view worker, std::string_view error,
                               Millis now, std::optional<Millis> retry_at) = 0;
  // Returns a claimed job to the queue untouched (graceful shutdown): attempts - 1.
  virtual core::Status releaseJob(std::int64_t job_id, std::string_view worker, Millis now) = 0;
  virtual core::Result<std::optional<Job>> getJob(std::int64_t job_id) = 0;
  virtual core::Result<std::vector<Job>> listJobs(const JobFilter& filter) = 0;
  // Jobs per state ("queued" → 3) for metrics.
  virtual core::Result<std::vector<std::pair<JobState, std::int64_t>>> countJobs() = 0;

  // Images. A push records (registry, repository, digest) and moves `tag` to the digest.
  virtual core::Status recordPush(std::string_view registry, std::string_view repository,
                                  std::string_view digest, std::string_view tag, Millis at) = 0;
  virtual core::Result<std::vector<RegistrySummary>> registrySummaries() = 0;
  virtual core::Result<std::vector<RepositorySummary>> listRepositories(
      std::string_view registry) = 0;
  virtual core::Result<std::vector<ImageRecord>> listImages(std::string_view registry,
                                                            std::string_view repository) = 0;
  // The image a tag points at now.
  virtual core::Result<std::optional<ImageRecord>> findTag(std::string_view registry,
                                                           std::string_view repository,
                                                           std::string_view tag) = 0;
  virtual core::Result<std::optional<ImageRecord>> findImage(std::string_view registry,
                                                             std::string_view repository,
                                                             std::string_view digest) = 0;

  // Results. Saving replaces the digest's findings and metadata; findings already present keep
  // their first_seen; the difference to the previous findings is recorded as FindingChanges
  // (none for the first result of a digest) and returned.
  virtual core::Result<std::vector<FindingChange>> saveResult(const ScanResult& result) = 0;
  // Whether a digest has a result, and its metadata.
  virtual core::Result<std::optional<ScanMetadata>> resultMetadata(std::string_view digest) = 0;
  virtual core::Result<std::optional<std::string>> inventory(std::string_view digest) = 0;
  virtual core::Result<FindingPage> findings(const FindingQuery& query) = 0;
  virtual core::Result<std::optional<FindingRecord>> finding(std::string_view digest,
                                                             std::string_view vulnerability_id,
                                                             std::string_view package_name) = 0;
  virtual core::Result<std::vector<FindingChange>> findingChanges(std::string_view digest,
                                                                  std::int64_t limit) = 0;
  // Digests with a result, in digest order after `after` ("" = from the start), at most `limit`:
  // re-evaluation pages through every stored inventory this way with bounded memory.
  virtual core::Result<std::vector<std::string>> resultDigests(std::string_view after,
                                                               std::int64_t limit) = 0;
  // Re-evaluation: new findings for a stored inventory; same semantics as saveResult without
  // touching the inventory; the metadata's db_build_id and evaluated_at are updated.
  virtual core::Result<std::vector<FindingChange>> replaceFindings(
      std::string_view digest, const std::vector<FindingRecord>& findings,
      std::string_view db_build_id, Millis at) = 0;
  // Re-evaluation that found nothing to re-match (no changed package in the inventory): the
  // findings stay as they are, the metadata says they were evaluated against `db_build_id` at
  // `at`. NotFound when the digest has no result.
  virtual core::Status markEvaluated(std::string_view digest, std::string_view db_build_id,
                                     Millis at) = 0;

  // Quarantine decisions, newest first.
  virtual core::Status recordDecision(const QuarantineDecision& decision) = 0;
  virtual core::Result<std::vector<QuarantineDecision>> decisions(std::string_view digest) = 0;

  // Small settings the service keeps ("reevaluated_db_build_id").
  virtual core::Result<std::optional<std::string>> getSetting(std::string_view key) = 0;
  virtual core::Status putSetting(std::string_view key, std::string_view value) = 0;

  // Runtime alerts. addAlerts inserts with ON CONFLICT (alert_id) DO NOTHING: an alert_id stored
  // before, or repeated in the batch, is counted as a duplicate and left as first stored.
  // An empty alert_id is Input. All of a batch or none is stored.
  virtual core::Result<AlertInsertResult> addAlerts(std::span<const AlertRecord> alerts) = 0;
  // Input for a limit outside 1..kMaxAlertPage.
  virtual core::Result<AlertPage> queryAlerts(const AlertQuery& query) = 0;
  virtual core::Result<std::optional<AlertRecord>> getAlert(std::string_view alert_id) = 0;
  // Counts per group of the alerts with time_ms >= since, most first, then by key.
  virtual core::Result<std::vector<AlertCount>> alertSummary(AlertGroup by, Millis since) = 0;
  // Deletes the alerts with time_ms < before; returns how many.
  virtual core::Result<std::int64_t> pruneAlerts(Millis before) = 0;
  // The posture resource an alert concerns (NotFound for an unknown alert).
  virtual core::Status setAlertResource(std::string_view alert_id,
                                        std::string_view resource_id) = 0;
  // The alerts with time_ms >= since, simulated ones left out, counted per UTC day and priority
  // (by day, then priority).
  virtual core::Result<std::vector<AlertDayCount>> alertsPerDay(Millis since) = 0;
  // The same for many alerts of one resource, in one transaction; the number of alerts found.
  virtual core::Result<std::int64_t> setAlertsResource(std::span<const std::string> alert_ids,
                                                       std::string_view resource_id) = 0;
  // Triage: sets status, status_at = at, status_by = by and status_comment = comment (replaced
  // by each call: "" clears it; the caller bounds its length). NotFound for an unknown alert_id.
  virtual core::Status setAlertStatus(std::string_view alert_id, model::AlertStatus status,
                                      std::string_view by, Millis at,
                                      std::string_view comment = {}) = 0;

  // Change feeds of the posture sync (FeedMark, ImageKey): image rows by last_pushed, results by
  // evaluated_at (a scan saved or a re-evaluation, by any process), alerts by received_ms.
  // limit 1 to kMaxFeedPage (Input otherwise).
  virtual core::Result<std::vector<ImageKey>> imagesPushedAfter(const ImageKey& after,
                                                                std::int64_t limit) = 0;
  virtual core::Result<std::vector<FeedMark>> resultsEvaluatedAfter(const FeedMark& after,
                                                                    std::int64_t limit) = 0;
  virtual core::Result<std::vector<AlertRecord>> alertsReceivedAfter(const FeedMark& after,
                                                                     std::int64_t limit) = 0;
  // The image rows of a digest (every registry and repository it was pushed to), sorted.
  virtual core::Result<std::vector<ImageKey>> imagesOfDigest(std::string_view digest) = 0;

  // Posture (see AssessmentBatch). All of a batch or nothing is written.
  virtual core::Result<ApplyResult> applyAssessments(const AssessmentBatch& batch) = 0;
  virtual core::Result<std::optional<ResourceRecord>> getResource(std::string_view id) = 0;
  // Input for an unknown sort or a negative limit/offset.
  virtual core::Result<ResourcePage> queryResources(const ResourceQuery& query) = 0;
  virtual core::Result<AssessmentPage> queryAssessments(const AssessmentQuery& query) = 0;
  // Changes of a resource's assessments with at >= since, newest first (at, then id).
  virtual core::Result<std::vector<AssessmentChange>> assessmentHistory(
      std::string_view resource_id, Millis since, std::int64_t limit) = 0;
  virtual core::Result<std::vector<PostureControlCount>> controlCounts() = 0;
  virtual core::Result<std::vector<PostureRecommendationCount>> recommendationCounts() = 0;

  // Exemptions. add: the caller validated it (posture::validateExemption); id and created_at
  // (when 0) are set by the store; Input when an active one with the same (recommendation,
  // scope, source) exists at created_at. add, revoke and refresh set exempt_id on the
  // assessments the change covers. revoke: NotFound when unknown, Input when already revoked.
  virtual core::Result<model::Exemption> addExemption(const model::Exemption& exemption) = 0;
  virtual core::Result<std::optional<model::Exemption>> getExemption(std::int64_t id) = 0;
  virtual core::Result<std::vector<model::Exemption>> listExemptions(
      const ExemptionQuery& query) = 0;
  virtual core::Status revokeExemption(std::int64_t id, Millis at) = 0;
  // Re-applies the exemptions active at `now` (expiry); returns the assessments whose
  // exempt_id changed.
  virtual core::Result<std::int64_t> refreshExemptions(Millis now) = 0;

  // Score history: points are unique per (control, at); a repeated point replaces the old.
  virtual core::Status appendScore(std::span<const ScorePoint> points) = 0;
  // Points with since <= at < until, of one control or all (control nullopt), by at, control.
  virtual core::Result<std::vector<ScorePoint>> scoreHistory(
      Millis since, Millis until, const std::optional<std::string>& control) = 0;

  // Leases: one holder of a named duty at a time among processes sharing the store (the
  // posture sync). Takes `name` for `holder` until `until` when it is free, expired
  // (until <= now) or held by `holder` already (a renewal); false when another holds it.
  virtual core::Result<bool> takeLease(std::string_view name, std::string_view holder, Millis now,
                                       Millis until) = 0;

  // Sensors: records a report (last_seen never moves back); listed by agent, then host.
  virtual core::Status touchSensor(const SensorRecord& sensor) = 0;
  virtual core::Result<std::vector<SensorRecord>> listSensors() = 0;

  // Schedules: putSchedule creates or replaces a target's; addSchedule creates it unless it
  // exists (true when it did); listed by target_key. claimSchedule moves next_run_at from
  // `expected` to `next` and records `run_id` (compare-and-set): of several servers claiming a
  // due target, one gets true.
  virtual core::Status putSchedule(const ScheduleRecord& schedule) = 0;
  virtual core::Result<bool> addSchedule(const ScheduleRecord& schedule) = 0;
  virtual core::Result<std::vector<ScheduleRecord>> listSchedules() = 0;
  virtual core::Result<bool> claimSchedule(std::string_view target_key, Millis expected,
                                           Millis next, std::int64_t run_id) = 0;

  // Runs: startRun stores one (id set by the store; status as given); finishRun writes its
  // finished_at, status, summary, results and diagnostics (NotFound for an unknown id).
  virtual core::Result<PostureRun> startRun(const PostureRun& run) = 0;
  virtual core::Status finishRun(const PostureRun& run) = 0;
  // Newest first (started_at, then id); countRuns: how many match (limit and offset ignored).
  virtual core::Result<std::vector<PostureRun>> listRuns(const PostureRunQuery& query) = 0;
  virtual core::Result<std::int64_t> countRuns(const PostureRunQuery& query) = 0;

  // Image configuration checks of a digest: replaced as a whole (NotFound when the digest has
  // no result; deleted with it); listed by check_id.
  virtual core::Status replaceResultChecks(std::string_view digest,
                                           std::span<const ResultCheck> checks) = 0;
  virtual core::Result<std::vector<ResultCheck>> resultChecks(std::string_view digest) = 0;

  // Inputs: putInput is false when one with that sha256 is stored already (the first is kept);
  // deleteInput is NotFound for an unknown sha256.
  virtual core::Result<bool> putInput(const PostureInput& input) = 0;
  virtual core::Result<std::optional<PostureInput>> getInput(std::string_view sha256) = 0;
  virtual core::Status deleteInput(std::string_view sha256) = 0;

  // ---- posture API queries (P4)
  // Findings across images (GET /api/v1/posture/findings): one row per image row (registry,
  // repository, digest) and finding of its digest. Every filter is optional; `images` is how
  // many digests have the vulnerability. Sorts, each ending with (vulnerability_id,
  // package_name, installed_version, registry, repository, digest) for stable pages:
  // "severity" (worst first), "id", "package", "first_seen" (newest first), "images" (most
  // first). Input for another sort or a negative limit/offset.
  struct CrossFindingQuery {
    std::string registry;
    std::string repository;
    std::optional<model::Severity> min_severity;
    bool fixable_only = false;
    std::string search;         // case-insensitive substring of the vulnerability id or package
    std::string vulnerability;  // one vulnerability id, exactly
    std::string sort = "severity";
    std::int64_t limit = 100;
    std::int64_t offset = 0;
  };
  struct CrossFinding {
    std::string registry;
    std::string repository;
    std::string digest;
    FindingRecord finding;  // detail_json left empty
    std::int64_t images = 0;
  };
  struct CrossFindingPage {
    std::vector<CrossFinding> findings;
    std::int64_t total = 0;  // matching, before limit/offset
  };
  virtual core::Result<CrossFindingPage> crossImageFindings(const CrossFindingQuery& query) = 0;
};

inline constexpr std::int64_t kMaxAlertPage = 1000;

// The schema version this program writes; both backends migrate to it at open.
inline constexpr int kSchemaVersion = 5;

// Opens a store by URL:
//   "sqlite:PATH", a plain PATH, or ""  → SQLite (""= defaultStorePath()); parent dirs created;
//   "postgres://…" or "postgresql://…"  → PostgreSQL (libpq connection URI).
// Migrations run at open. Errors name the backend and never include a password.
core::Result<std::unique_ptr<Store>> openStore(std::string_view url);

// $XDG_DATA_HOME/bulwark/bulwark.db, else $HOME/.local/share/bulwark/bulwark.db.
std::string defaultStorePath();

// The URL with any password replaced by "***" (for logs and errors).
std::string redactUrl(std::string_view url);

// Differences between a digest's previous and next findings by identity (vulnerability_id,
// package_name, installed_version). Shared by both backends.
std::vector<FindingChange> diffFindings(std::string_view digest,
                                        const std::vector<FindingRecord>& before,
                                        const std::vector<FindingRecord>& after,
                                        std::string_view db_build_id, Millis at);

}  // namespace bulwark::store
