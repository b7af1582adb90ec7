#!/usr/bin/env python3
"""Correctness at scale: a `bulwark bench k8s -f json` report against generate.py's answers.

  compare.py REPORT.json SET_DIR [--label NAME]

SET_DIR is a directory written by generate.py (expected.tsv, workloads.txt, mutations.tsv).
Every (resource, check) row of expected.tsv must have status "fail" in the report; no check may
fail on a resource without an expected row for it; every workload must have results. Prints the
counts and the first 10 mismatches (with the mutations and file behind them); exits 1 on any
mismatch, 2 on unusable input. Python 3 standard library only.
"""

import argparse
import collections
import json
import os
import sys

SHOWN = 10


def read_set(set_dir):
    with open(os.path.join(set_dir, "expected.tsv"), encoding="utf-8") as f:
        expected = {tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()}
    with open(os.path.join(set_dir, "workloads.txt"), encoding="utf-8") as f:
        workloads = {line.strip() for line in f if line.strip()}
    why = collections.defaultdict(list)  # resource -> ["mutation (file)", ...]
    path = os.path.join(set_dir, "mutations.tsv")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                resource, mutation, _, file = line.rstrip("\n").split("\t")
                why[resource].append(f"{mutation} ({file})")
    return expected, workloads, why


def read_report(path):
    """{resource: {check id: (status, reason)}} and the status counts."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if not isinstance(doc.get("resources"), list):
        raise ValueError(f"{path} has no top-level \"resources\" list")
    results = {}
    statuses = collections.Counter()
    for entry in doc["resources"]:
        by_id = results.setdefault(entry["resource"], {})
        for r in entry.get("results", []):
            by_id[r["id"]] = (r["status"], r.get("reason", ""))
            statuses[r["status"]] += 1
    return results, statuses


def compare(results, expected, workloads):
    """Mismatch rows (what, resource, check id, detail), sorted."""
    fails = {(res, cid) for res, by_id in results.items()
             for cid, (status, _) in by_id.items() if status == "fail"}
    rows = []
    for res, cid in expected - fails:
        status, reason = results.get(res, {}).get(cid, ("absent", ""))
        rows.append(("missed", res, cid, status + (f": {reason}" if reason else "")))
    for res, cid in fails - expected:
        rows.append(("extra", res, cid, "fails without an injected violation"))
    for res in workloads - results.keys():
        rows.append(("absent", res, "-", "the workload has no results in the report"))
    return sorted(rows, key=lambda r: (r[1], r[2], r[0]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report")
    parser.add_argument("set_dir")
    parser.add_argument("--label", default="", help="prefix for the printed lines")
    args = parser.parse_args()
    label = f"{args.label}: " if args.label else ""
    try:
        expected, workloads, why = read_set(args.set_dir)
        results, statuses = read_report(args.report)
    except (OSError, ValueError, KeyError) as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2
    rows = compare(results, expected, workloads)
    missed = sum(1 for r in rows if r[0] == "missed")
    extra = sum(1 for r in rows if r[0] == "extra")
    absent = sum(1 for r in rows if r[0] == "absent")
    present = len(workloads & results.keys())
    print(f"{label}workloads with results {present} of {len(workloads)}; results "
          f"{sum(statuses.values())}" +
          "".join(f", {s} {n}" for s, n in sorted(statuses.items())))
    print(f"{label}expected fails {len(expected)}: found {len(expected) - missed}, "
          f"missed {missed}; fails without an injected violation {extra}; "
          f"workloads without results {absent}; mismatches {len(rows)}")
    per_check = collections.Counter((r[2], r[0]) for r in rows if r[0] != "absent")
    for cid in sorted({c for c, _ in per_check}):
        print(f"{label}  {cid}: missed {per_check[(cid, 'missed')]}, "
              f"extra {per_check[(cid, 'extra')]}")
    # A workload without results is one line, not one more per check it should fail.
    absent_set = {r[1] for r in rows if r[0] == "absent"}
    shown = [r for r in rows if r[0] == "absent" or r[1] not in absent_set]
    for what, res, cid, detail in shown[:SHOWN]:
        mutations = "; ".join(why.get(res, [])) or "no mutation"
        print(f"{label}  {what:6} {res} {cid} ({detail}; {mutations})")
    if len(shown) > SHOWN:
        print(f"{label}  … and {len(shown) - SHOWN} more")
    return 1 if rows else 0


if __name__ == "__main__":
    sys.exit(main())
