// The Debian security tracker, in two of its forms:
//
// 1. The tracker JSON (https://security-tracker.debian.org/tracker/data/json):
//      {source-package: {CVE-or-TEMP-id: {description, scope, debianbug,
//        releases: {codename: {status, fixed_version, urgency, nodsa, nodsa_reason,
//                               repositories}}}}}
//    → one Advisory per id (source "debian-tracker"), one AffectedPackage per (release, source
//    package), ecosystem osEcosystem("debian", codename). Status: resolved + fixed_version "0"
//    → NotAffected; resolved → Fixed (ECOSYSTEM range introduced 0, fixed V); open → Affected,
//    WillNotFix (nodsa_reason "ignored"), FixDeferred ("postponed") or EndOfLife (urgency
//    "end-of-life"); undetermined → UnderInvestigation. The urgency is kept raw and mapped to a
//    severity ("unimportant" → Negligible, "not yet assigned" → Unknown, "**" stripped).
//    The file nests ids under packages, so advisories are grouped and delivered at the end,
//    sorted by id.
//
// 2. The DSA/DLA list files (data/DSA/list, data/DLA/list), grammar:
//      list     = { advisory } ;
//      advisory = header, [ cves ], { fixed | note } ;
//      header   = "[" DD " " Mon " " YYYY "] " id [ " " package " - " description ] ;
//      cves     = blank, "{", id, { " ", id }, "}" ;
//      fixed    = blank, "[" codename "] - " package " " ( version | "<" word ">" ) [ note ] ;
//    → one Advisory per DSA/DLA (source "debian-dsa" / "debian-dla"), aliases = the CVEs,
//    one AffectedPackage per fixed line: a version → Fixed; <not-affected> → NotAffected;
//    <end-of-life> → EndOfLife; <unfixed> → Affected; <ignored> → WillNotFix; <postponed> →
//    FixDeferred.
#pragma once

#include "vulndb/feeds/feeds.h"
