// NVD CVE JSON (API 2.0 responses and the 1.1 yearly feeds) and CVE JSON 5 records (the CVE
// Program's cvelistV5). These carry CVSS and descriptions of CVE ids only: bulwark never matches
// packages against them, so the advisories they produce have no affected packages.
//
// Mapping to model::Advisory:
//  - NVD (source "nvd"): id, published, modified (lastModified), summary = the English
//    description, references (URLs), one SeverityScore per metric: type CVSS_V2 / CVSS_V3
//    (v3.0 and v3.1) / CVSS_V4, vector as published, score = the published baseScore, severity =
//    the published baseSeverity, source = the metric's "source" (1.1 feeds: "nvd@nist.gov").
//    vulnStatus "Rejected" (2.0) or a "** REJECT **" description (1.1) → withdrawn = modified.
//    cwes = weaknesses[].description[].value (2.0) / problemtype.problemtype_data[].description[]
//    .value (1.1), without NVD's "NVD-CWE-Other" / "NVD-CWE-noinfo" placeholders.
//  - CVE JSON 5 (source "cve5"): cveMetadata.cveId / datePublished / dateUpdated, the CNA's
//    English description, references of the CNA, metrics of the CNA and of every ADP container
//    (cvssV4_0, cvssV3_1, cvssV3_0, cvssV2_0; source = the container's providerMetadata
//    shortName); state "REJECTED" → withdrawn = dateUpdated (or "rejected" when absent);
//    cwes = the CNA's problemTypes[].descriptions[].cweId, else those of the ADP containers.
#pragma once

#include "vulndb/feeds/feeds.h"
