// The answers of the routes the dashboard reads, as docs/openapi.yaml describes them.

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'negligible' | 'unknown';
export const SEVERITIES: Severity[] = [
  'critical',
  'high',
  'medium',
  'low',
  'negligible',
  'unknown',
];

export type Role = 'admin' | 'reader' | 'ingest';

export interface WhoAmI {
  name: string;
  role: Role;
  expires_at: number | null;
}

export interface Counts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  negligible: number;
  unknown: number;
  total: number;
}

export interface RegistrySummary {
  name: string;
  url: string;
  repositories: number;
  images: number;
  scanned: number;
  counts: Counts;
  last_polled_at: number | null;
  poll_interval_s: number;
}

export interface RegistryList {
  registries: RegistrySummary[];
  total: number;
}

export interface Repository {
  repository: string;
  images: number;
  scanned: number;
  counts: Counts;
  last_pushed: number;
}

export interface RepositoryList {
  registry: string;
  repositories: Repository[];
  total: number;
}

export interface ScanMetadata {
  db_build_id: string;
  bulwark_version: string;
  scanned_at: number;
  evaluated_at: number;
  os: string;
  platform: string;
  package_count: number;
}

export interface Image {
  registry?: string;
  repository?: string;
  digest: string;
  tags: string[];
  first_seen?: number;
  last_pushed?: number;
  scanned: boolean;
  scan: ScanMetadata | null;
  counts: Counts;
}

export interface ImageList {
  registry: string;
  repository: string;
  images: Image[];
  total: number;
}

export interface Finding {
  vulnerability_id: string;
  package_name: string;
  installed_version: string;
  fixed_version: string;
  fixable: boolean;
  severity: Severity;
  first_seen: number;
}

export interface FindingList {
  digest: string;
  findings: Finding[];
  total: number;
  limit: number;
  offset: number;
}

// `detail` is the finding as the scan encoded it (src/report/scan_report.cpp): every field may
// be absent.
export interface FindingDetail extends Finding {
  digest: string;
  detail: {
    id?: string;
    title?: string;
    aliases?: string[];
    package?: {
      name?: string;
      type?: string;
      source_name?: string;
      purl?: string;
      location?: { layer?: string; path?: string };
    };
    status?: string;
    severity_source?: string;
    cvss?: { score?: number; vector?: string };
    data_sources?: string[];
    explanation?: string;
    remediation?: string;
    references?: string[];
    cwes?: string[];
  } | null;
  // The layer that introduced the package (served once the API joins it in).
  layer?: { index?: number; digest?: string; created_by?: string; size?: number } | null;
}

export type Priority =
  'Emergency' | 'Alert' | 'Critical' | 'Error' | 'Warning' | 'Notice' | 'Informational' | 'Debug';
export const PRIORITIES: Priority[] = [
  'Emergency',
  'Alert',
  'Critical',
  'Error',
  'Warning',
  'Notice',
  'Informational',
  'Debug',
];

export interface Alert {
  alert_id: string;
  time: string;
  time_ms: number;
  received_ms: number;
  rule: string;
  rule_id: string;
  priority: Priority;
  source: string;
  hostname: string;
  agent: string;
  container_id: string;
  container_image: string;
  k8s_ns: string;
  k8s_pod: string;
  tags: string[];
  output: string;
  output_fields: Record<string, unknown>;
  simulated: boolean;
  // Triage (PUT /api/v1/alerts/{id}/status, admin).
  status?: AlertStatus;
  status_at?: number | null;
  status_by?: string;
  // The posture resource the alert concerns ("" until the posture sync resolves it).
  resource_id?: string;
}

export type AlertStatus = 'new' | 'active' | 'dismissed' | 'resolved';
export const ALERT_STATUSES: AlertStatus[] = ['new', 'active', 'dismissed', 'resolved'];

export interface AlertPage {
  alerts: Alert[];
  next_cursor: string | null;
}

export interface ControlScore {
  id: string;
  title: string;
  max: number;
  score: number;
  healthy: number;
  unhealthy: number;
  not_evaluated: number;
  exempt: number;
  applicable: boolean;
}

export interface SecureScore {
  points: number;
  max: number;
  percent: number | null;
  controls: ControlScore[];
}

export interface ScorePoint {
  control: string;
  at: number;
  score: number;
  max: number;
  percent: number | null;
}

export interface Recommendation {
  id: string;
  title: string;
  control: string;
  severity: Severity;
  resource_types: string[];
  counts: { healthy: number; unhealthy: number; not_evaluated: number; exempt: number };
  potential: number;
}

export interface PostureOverview {
  score: SecureScore;
  trend: ScorePoint[];
  unhealthy_by_type: Record<string, number>;
  alerts: {
    since: number;
    days: { day: number; priority: string; count: number }[];
    truncated: boolean;
  };
  top_recommendations: Recommendation[];
}

// ---- posture: recommendations, resources, exemptions (src/server/posture_api.cpp) ----------

export type Health = 'unhealthy' | 'healthy' | 'not-evaluated' | 'not-applicable';
export const HEALTHS: Health[] = ['unhealthy', 'healthy', 'not-evaluated', 'not-applicable'];

export interface RecommendationFull extends Recommendation {
  description: string;
  remediation: string[];
  sources: { checks: string[]; rules: string[]; derived: string[] };
  counts: Recommendation['counts'] & { not_applicable: number; unhealthy_only: number };
}

export interface RecommendationList {
  recommendations: RecommendationFull[];
  total: number;
  limit: number;
  offset: number;
}

export type ExemptionCategory = 'mitigated' | 'risk-accepted' | 'false-positive';
export const EXEMPTION_CATEGORIES: ExemptionCategory[] = [
  'mitigated',
  'risk-accepted',
  'false-positive',
];

export interface Exemption {
  id: number;
  recommendation: string;
  scope: string;
  source: string;
  category: ExemptionCategory;
  reason: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  active: boolean;
}

export interface RecommendationDetail extends RecommendationFull {
  control_score: ControlScore | null;
  exemptions: Exemption[];
}

export interface PostureResource {
  id: string;
  key: string;
  type: string;
  parent_id: string;
  name: string;
  labels: Record<string, string>;
  attrs: Record<string, string>;
  first_seen: number;
  last_seen: number;
  gone_at: number | null;
  ancestors: string[];
  health: Health;
  unhealthy: number;
  severity: Severity;
}

export interface ResourceList {
  resources: PostureResource[];
  total: number;
  limit: number;
  offset: number;
}

export interface Evidence {
  observed: string;
  where: string;
  expected: string;
}

export interface Assessment {
  resource_id: string;
  source: string;
  kind: string;
  recommendation: string;
  control: string;
  status: Health;
  severity: Severity;
  reason: string;
  cause: string;
  evidence: Evidence[];
  run_id: number;
  assessed_at: number;
  status_since: number;
  exempt_id: number;
}

export interface AffectedList {
  items: { resource: PostureResource | null; assessment: Assessment }[];
  total: number;
  limit: number;
  offset: number;
}

export interface AssessmentList {
  assessments: Assessment[];
  total: number;
  limit: number;
  offset: number;
}

// One change of an assessment's status on a resource; `from`/`to` are null when the assessment
// appeared or went.
export interface AssessmentChange {
  id: number;
  resource_id: string;
  source: string;
  recommendation: string;
  from: Health | null;
  to: Health | null;
  cause: string;
  at: number;
}

export interface AssessmentChangeList {
  changes: AssessmentChange[];
  limit: number;
}

export interface ExemptionList {
  exemptions: Exemption[];
  total: number;
  limit: number;
  offset: number;
}

export interface ResourceDetail {
  resource: PostureResource;
  breadcrumb: { id: string; type: string; name: string }[];
  children: Record<Health, number>;
  recommendations: {
    id: string;
    title: string;
    control: string;
    status: Health | 'exempt';
    severity: Severity;
    sources: number;
  }[];
  last_run: { id: number; kind: string; started_at: number; status: string } | null;
}
