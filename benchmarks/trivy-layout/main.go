// trivy-layout writes the advisories of a bulwark database (the JSON lines of
// `bulwark db export --all`) into a bbolt file laid out as trivy-db lays out its database, so
// that the two sizes can be compared for the same content. See README.md.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// What `bulwark db export --all` prints (src/vulndb/advisory_json.cpp), one document a line.
type event struct {
	Introduced   *string `json:"introduced"`
	Fixed        *string `json:"fixed"`
	LastAffected *string `json:"last_affected"`
	Limit        *string `json:"limit"`
}

type versionRange struct {
	Type   string  `json:"type"`
	Events []event `json:"events"`
}

type affected struct {
	Ecosystem    string         `json:"ecosystem"`
	Name         string         `json:"name"`
	Status       string         `json:"status"`
	Ranges       []versionRange `json:"ranges"`
	Versions     []string       `json:"versions"`
	FixedVersion string         `json:"fixed_version"`
	Severity     string         `json:"severity"`
	Arches       []string       `json:"arches"`
}

type severityScore struct {
	Type     string   `json:"type"`
	Vector   string   `json:"vector"`
	Score    *float64 `json:"score"`
	Severity string   `json:"severity"`
	Source   string   `json:"source"`
}

type advisory struct {
	ID         string          `json:"id"`
	Aliases    []string        `json:"aliases"`
	Source     string          `json:"source"`
	Published  string          `json:"published"`
	Modified   string          `json:"modified"`
	Summary    string          `json:"summary"`
	Details    string          `json:"details"`
	Severity   []severityScore `json:"severity"`
	Affected   []affected      `json:"affected"`
	References []string        `json:"references"`
	CWEs       []string        `json:"cwes"`
}

// trivy-db's records (pkg/types): the field names and omitempty rules of its JSON values.
type cvss struct {
	V2Vector  string  `json:"V2Vector,omitempty"`
	V3Vector  string  `json:"V3Vector,omitempty"`
	V40Vector string  `json:"V40Vector,omitempty"`
	V2Score   float64 `json:"V2Score,omitempty"`
	V3Score   float64 `json:"V3Score,omitempty"`
	V40Score  float64 `json:"V40Score,omitempty"`
}

type vulnerability struct {
	Title            string          `json:",omitempty"`
	Description      string          `json:",omitempty"`
	Severity         string          `json:",omitempty"`
	CweIDs           []string        `json:",omitempty"`
	VendorSeverity   map[string]int  `json:",omitempty"`
	CVSS             map[string]cvss `json:",omitempty"`
	References       []string        `json:",omitempty"`
	PublishedDate    *time.Time      `json:",omitempty"`
	LastModifiedDate *time.Time      `json:",omitempty"`
}

type trivyAdvisory struct {
	VendorIDs          []string `json:",omitempty"`
	Arches             []string `json:",omitempty"`
	Severity           int      `json:",omitempty"`
	FixedVersion       string   `json:",omitempty"`
	VulnerableVersions []string `json:",omitempty"`
	PatchedVersions    []string `json:",omitempty"`
	Status             int      `json:",omitempty"`
}

// Red Hat's bucket holds one entry list per (package, vulnerability) (trivy-db's Advisories).
type redHatAdvisories struct {
	Entries []trivyAdvisory `json:",omitempty"`
}

type dataSource struct {
	ID   string `json:",omitempty"`
	Name string `json:",omitempty"`
	URL  string `json:",omitempty"`
}

// Trivy's severity scale: UNKNOWN 0, LOW 1, MEDIUM 2, HIGH 3, CRITICAL 4 (negligible is low).
func trivySeverity(s string) int {
	switch strings.ToUpper(s) {
	case "NEGLIGIBLE", "LOW":
		return 1
	case "MEDIUM":
		return 2
	case "HIGH":
		return 3
	case "CRITICAL":
		return 4
	}
	return 0
}

// trivy-db's Status values; it stores a status only where there is no fixed version.
func trivyStatus(s string) int {
	switch s {
	case "not-affected":
		return 1
	case "affected":
		return 2
	case "fixed":
		return 3
	case "under-investigation":
		return 4
	case "will-not-fix":
		return 5
	case "fix-deferred":
		return 6
	case "end-of-life":
		return 7
	}
	return 0
}

// The bucket trivy-db uses for a bulwark ecosystem, and its data-source record.
func bucketOf(ecosystem string) (string, dataSource) {
	lang := map[string][2]string{
		"Go":        {"go", "GitHub Security Advisory Go"},
		"PyPI":      {"pip", "GitHub Security Advisory pip"},
		"npm":       {"npm", "GitHub Security Advisory npm"},
		"RubyGems":  {"rubygems", "GitHub Security Advisory RubyGems"},
		"Maven":     {"maven", "GitHub Security Advisory Maven"},
		"NuGet":     {"nuget", "GitHub Security Advisory NuGet"},
		"Packagist": {"composer", "GitHub Security Advisory Composer"},
		"crates.io": {"cargo", "Open Source Vulnerability"},
	}
	if l, ok := lang[ecosystem]; ok {
		id := "ghsa"
		if l[0] == "cargo" {
			id = "osv"
		}
		return l[0] + "::" + l[1], dataSource{ID: id, Name: l[1],
			URL: "https://github.com/advisories?query=type%3Areviewed+ecosystem%3A" + l[0]}
	}
	distro, release, found := strings.Cut(ecosystem, ":")
	if !found {
		return strings.ToLower(ecosystem), dataSource{ID: strings.ToLower(ecosystem), Name: ecosystem}
	}
	switch distro {
	case "debian":
		return "debian " + release, dataSource{ID: "debian", Name: "Debian Security Tracker",
			URL: "https://salsa.debian.org/security-tracker-team/security-tracker"}
	case "ubuntu":
		return "ubuntu " + release, dataSource{ID: "ubuntu", Name: "Ubuntu CVE Tracker",
			URL: "https://git.launchpad.net/ubuntu-cve-tracker"}
	case "alpine":
		return "alpine " + release, dataSource{ID: "alpine", Name: "Alpine Secdb",
			URL: "https://secdb.alpinelinux.org/"}
	case "rhel":
		return "Red Hat", dataSource{ID: "redhat", Name: "Red Hat OVAL v2",
			URL: "https://www.redhat.com/security/data/oval/v2/"}
	case "mariner":
		return "CBL-Mariner " + release, dataSource{ID: "cbl-mariner", Name: "CBL-Mariner Vulnerability Data",
			URL: "https://github.com/microsoft/CBL-MarinerVulnerabilityData"}
	case "azurelinux":
		return "Azure Linux " + release, dataSource{ID: "azure", Name: "Azure Linux Vulnerability Data",
			URL: "https://github.com/microsoft/AzureLinuxVulnerabilityData"}
	case "almalinux":
		return "alma " + release, dataSource{ID: "alma", Name: "AlmaLinux Product Errata",
			URL: "https://errata.almalinux.org/"}
	}
	return strings.ToLower(distro) + " " + release, dataSource{ID: strings.ToLower(distro), Name: distro}
}

func isLanguage(bucket string) bool { return strings.Contains(bucket, "::") }

// OSV ranges as trivy-db's VulnerableVersions / PatchedVersions strings.
func versionStrings(a affected) (vulnerable, patched []string) {
	for _, r := range a.Ranges {
		if r.Type == "GIT" {
			continue
		}
		lower := ""
		for _, e := range r.Events {
			switch {
			case e.Introduced != nil:
				lower = ""
				if *e.Introduced != "0" {
					lower = ">=" + *e.Introduced
				}
			case e.Fixed != nil:
				vulnerable = append(vulnerable, join(lower, "<"+*e.Fixed))
				patched = append(patched, *e.Fixed)
				lower = ""
			case e.LastAffected != nil:
				vulnerable = append(vulnerable, join(lower, "<="+*e.LastAffected))
				lower = ""
			case e.Limit != nil:
				vulnerable = append(vulnerable, join(lower, "<"+*e.Limit))
				lower = ""
			}
		}
		if lower != "" {
			vulnerable = append(vulnerable, lower)
		}
	}
	if len(vulnerable) == 0 {
		for _, v := range a.Versions {
			vulnerable = append(vulnerable, "="+v)
		}
	}
	return vulnerable, patched
}

func join(lower, upper string) string {
	if lower == "" {
		return upper
	}
	return lower + ", " + upper
}

// The ids an advisory is stored under: trivy-db keys per-source records by CVE where there is
// one (a DSA with three CVEs is three records with VendorIDs [DSA-…]), else by its own id.
func vulnerabilityIDs(a advisory) []string {
	if strings.HasPrefix(a.ID, "CVE-") {
		return []string{a.ID}
	}
	var cves []string
	for _, alias := range a.Aliases {
		if strings.HasPrefix(alias, "CVE-") {
			cves = append(cves, alias)
		}
	}
	if len(cves) == 0 {
		return []string{a.ID}
	}
	return cves
}

func parseTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

type layout struct {
	vulns       map[string]*vulnerability
	buckets     map[string]map[string]map[string]json.RawMessage // bucket → package → id → value
	sources     map[string]dataSource
	advisories  int
	statements  int
	skipped     int
	trivyValues int
	allocated   map[string]int64
}

// merge adds what an advisory says about a vulnerability to its one details record, as
// trivy-db merges NVD, GHSA and the vendors into the `vulnerability` bucket.
func (l *layout) merge(id string, a advisory) {
	v := l.vulns[id]
	if v == nil {
		v = &vulnerability{}
		l.vulns[id] = v
	}
	if v.Title == "" {
		v.Title = a.Summary
	}
	if v.Description == "" {
		v.Description = a.Details
	}
	source := strings.SplitN(a.Source, ":", 2)[0]
	for _, s := range a.Severity {
		who := s.Source
		if who == "" {
			who = source
		}
		if sev := trivySeverity(s.Severity); sev != 0 {
			if v.VendorSeverity == nil {
				v.VendorSeverity = map[string]int{}
			}
			v.VendorSeverity[who] = sev
		}
		if s.Vector == "" {
			continue
		}
		if v.CVSS == nil {
			v.CVSS = map[string]cvss{}
		}
		c := v.CVSS[who]
		score := 0.0
		if s.Score != nil {
			score = *s.Score
		}
		switch s.Type {
		case "CVSS_V2":
			c.V2Vector, c.V2Score = s.Vector, score
		case "CVSS_V3":
			c.V3Vector, c.V3Score = s.Vector, score
		case "CVSS_V4":
			c.V40Vector, c.V40Score = s.Vector, score
		}
		v.CVSS[who] = c
	}
	if v.Severity == "" {
		best := 0
		for _, s := range a.Severity {
			if sev := trivySeverity(s.Severity); sev > best {
				best = sev
			}
		}
		if best > 0 {
			v.Severity = []string{"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"}[best]
		}
	}
	v.CweIDs = union(v.CweIDs, a.CWEs)
	v.References = union(v.References, a.References)
	if v.PublishedDate == nil {
		v.PublishedDate = parseTime(a.Published)
	}
	if v.LastModifiedDate == nil {
		v.LastModifiedDate = parseTime(a.Modified)
	}
}

func union(have, more []string) []string {
	seen := map[string]bool{}
	for _, s := range have {
		seen[s] = true
	}
	for _, s := range more {
		if !seen[s] {
			seen[s] = true
			have = append(have, s)
		}
	}
	return have
}

func (l *layout) add(a advisory) error {
	l.advisories++
	ids := vulnerabilityIDs(a)
	for _, id := range ids {
		if id != "" {
			l.merge(id, a)
		}
	}
	for _, p := range a.Affected {
		l.statements++
		if p.Name == "" || p.Ecosystem == "" {
			l.skipped++ // bbolt has no empty keys: a statement without a package has no place
			continue
		}
		bucket, source := bucketOf(p.Ecosystem)
		l.sources[bucket] = source
		value := trivyAdvisory{Arches: p.Arches, Severity: trivySeverity(p.Severity)}
		if isLanguage(bucket) {
			value.Severity = 0 // language records take their severity from the details record
			value.VulnerableVersions, value.PatchedVersions = versionStrings(p)
		} else {
			value.FixedVersion = p.FixedVersion
			if value.FixedVersion == "" {
				value.Status = trivyStatus(p.Status)
			}
		}
		for _, id := range ids {
			if id == "" {
				continue
			}
			record := value
			if id != a.ID {
				record.VendorIDs = []string{a.ID}
			}
			var encoded []byte
			var err error
			if bucket == "Red Hat" {
				encoded, err = json.Marshal(redHatAdvisories{Entries: []trivyAdvisory{record}})
			} else {
				encoded, err = json.Marshal(record)
			}
			if err != nil {
				return err
			}
			packages := l.buckets[bucket]
			if packages == nil {
				packages = map[string]map[string]json.RawMessage{}
				l.buckets[bucket] = packages
			}
			values := packages[p.Name]
			if values == nil {
				values = map[string]json.RawMessage{}
				packages[p.Name] = values
			}
			if _, dup := values[id]; !dup {
				l.trivyValues++
			}
			values[id] = encoded
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// write stores everything in key order, `batch` puts per transaction (trivy-db commits once
// per source), every bucket filled to `fill` (bbolt's default, 0.5, is what trivy-db uses).
func (l *layout) write(path string, fill float64) (int64, error) {
	os.Remove(path)
	db, err := bolt.Open(path, 0o644, &bolt.Options{NoSync: true, NoFreelistSync: false})
	if err != nil {
		return 0, err
	}
	put := func(names []string, key string, value []byte) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte(names[0]))
			if err != nil {
				return err
			}
			b.FillPercent = fill
			for _, n := range names[1:] {
				if b, err = b.CreateBucketIfNotExists([]byte(n)); err != nil {
					return err
				}
				b.FillPercent = fill
			}
			return b.Put([]byte(key), value)
		}
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, id := range sortedKeys(l.vulns) {
			encoded, err := json.Marshal(l.vulns[id])
			if err != nil {
				return err
			}
			if err := put([]string{"vulnerability"}, id, encoded)(tx); err != nil {
				return err
			}
		}
		for _, name := range sortedKeys(l.sources) {
			encoded, err := json.Marshal(l.sources[name])
			if err != nil {
				return err
			}
			if err := put([]string{"data-source"}, name, encoded)(tx); err != nil {
				return err
			}
		}
		return nil
	})
	for _, bucket := range sortedKeys(l.buckets) {
		if err != nil {
			break
		}
		err = db.Update(func(tx *bolt.Tx) error {
			packages := l.buckets[bucket]
			for _, pkg := range sortedKeys(packages) {
				values := packages[pkg]
				for _, id := range sortedKeys(values) {
					if err := put([]string{bucket, pkg}, id, values[id])(tx); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	var size int64
	if err == nil {
		err = db.View(func(tx *bolt.Tx) error {
			size = tx.Size() // the pages in use up to the high-water mark: no preallocated tail
			// Pages allocated per root bucket, sub-buckets included.
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				st := b.Stats()
				l.allocated[string(name)] = int64(st.BranchAlloc + st.LeafAlloc)
				return nil
			})
		})
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return size, err
}

func main() {
	in := flag.String("in", "-", "JSON lines of `bulwark db export --all` (- for stdin)")
	out := flag.String("out", "trivy.db", "the bbolt file to write")
	fill := flag.Float64("fill", 0.5, "bbolt bucket fill percent (0.5 is bbolt's and trivy-db's default)")
	flag.Parse()
	var reader io.Reader = os.Stdin
	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			fmt.Fprintln(os.Stderr, "trivy-layout:", err)
			os.Exit(2)
		}
		defer f.Close()
		reader = f
	}
	l := &layout{vulns: map[string]*vulnerability{},
		buckets: map[string]map[string]map[string]json.RawMessage{}, sources: map[string]dataSource{},
		allocated: map[string]int64{}}
	scanner := bufio.NewScanner(reader)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for scanner.Scan() {
		line++
		var a advisory
		if err := json.Unmarshal(scanner.Bytes(), &a); err != nil {
			fmt.Fprintf(os.Stderr, "trivy-layout: line %d: %v\n", line, err)
			os.Exit(2)
		}
		if err := l.add(a); err != nil {
			fmt.Fprintf(os.Stderr, "trivy-layout: %s: %v\n", a.ID, err)
			os.Exit(2)
		}
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "trivy-layout:", err)
		os.Exit(2)
	}
	size, err := l.write(*out, *fill)
	if err != nil {
		fmt.Fprintln(os.Stderr, "trivy-layout:", err)
		os.Exit(2)
	}
	st, err := os.Stat(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "trivy-layout:", err)
		os.Exit(2)
	}
	// key=value lines for benchmarks/db_size.sh
	fmt.Printf("advisories=%d\nstatements=%d\nskipped_statements=%d\nvulnerability_records=%d\n"+
		"advisory_values=%d\n", l.advisories, l.statements, l.skipped, len(l.vulns), l.trivyValues)
	fmt.Printf("buckets=%d\nused_bytes=%d\nfile_bytes=%d\n", len(l.buckets)+2, size, st.Size())
	var advisoryBuckets int64
	for name, bytes := range l.allocated {
		if name != "vulnerability" && name != "data-source" {
			advisoryBuckets += bytes
		}
	}
	fmt.Printf("vulnerability_bucket_bytes=%d\nadvisory_buckets_bytes=%d\n",
		l.allocated["vulnerability"], advisoryBuckets)
}
