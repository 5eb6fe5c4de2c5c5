#!/usr/bin/env python3
"""Proves every custom check both ways on its fixtures (scripts/check-policies runs it).

For each check CKV_MLCLOUD_<n> in checks/, fixtures/CKV_MLCLOUD_<n>/pass/ and .../fail/
must exist; one checkov run over fixtures/ (custom checks only) must then show:
  - pass/: the check passed at least once, and no custom check failed;
  - fail/: the check failed at least once, and no other custom check failed,
so that each fail fixture shows exactly its own rule broken. A check that cannot
judge a fixture (a value the scan cannot resolve) leaves no result, which fails too.

Usage: verify_fixtures.py CHECKOV   (the checkov executable of the scan venv)
"""

import collections
import json
import pathlib
import re
import subprocess
import sys

POLICIES = pathlib.Path(__file__).resolve().parent
CHECKS = POLICIES / "checks"
FIXTURES = POLICIES / "fixtures"
CHECK_ID = re.compile(r'\bid="(CKV_MLCLOUD_[0-9]+)"')
OUTCOMES = ("pass", "fail")


def declared_checks():
    ids = {}
    for path in sorted(CHECKS.glob("*.py")):
        for check_id in CHECK_ID.findall(path.read_text()):
            if check_id in ids:
                sys.exit(f"{check_id} is declared twice: {ids[check_id].name} and {path.name}")
            ids[check_id] = path
    if not ids:
        sys.exit(f"no CKV_MLCLOUD_ check found in {CHECKS}")
    return dict(sorted(ids.items(), key=lambda item: int(item[0].rsplit("_", 1)[1])))


def run_checkov(checkov):
    command = [
        checkov, "--directory", str(FIXTURES), "--framework", "terraform",
        "--external-checks-dir", str(CHECKS), "--check", "CKV_MLCLOUD_*",
        "--skip-download", "--output", "json",
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    # 0: nothing failed, 1: something failed (the fail fixtures); anything else is an error.
    if done.returncode not in (0, 1):
        sys.exit(f"checkov exited {done.returncode}:\n{done.stderr}")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as e:
        sys.exit(f"checkov printed no JSON report ({e}):\n{done.stdout[:2000]}\n{done.stderr}")
    reports = report if isinstance(report, list) else [report]
    for r in reports:
        if r.get("summary", {}).get("parsing_errors"):
            sys.exit(f"checkov could not parse: {r['results'].get('parsing_errors')}")
    return reports


def outcomes(reports):
    """{(fixture check id, pass|fail): {"passed"|"failed": Counter(check id)}}"""
    seen = collections.defaultdict(lambda: {"passed": collections.Counter(), "failed": collections.Counter()})
    for r in reports:
        for kind in ("passed", "failed"):
            for result in r["results"][f"{kind}_checks"]:
                # file_path is relative to fixtures/: /CKV_MLCLOUD_3/fail/cluster/main.tf
                parts = pathlib.PurePosixPath(result["file_path"]).parts
                parts = [p for p in parts if p not in ("/", "")]
                if len(parts) < 3 or parts[1] not in OUTCOMES:
                    sys.exit(f"a result outside fixtures/<check>/<pass|fail>/: {result['file_path']}")
                seen[(parts[0], parts[1])][kind][result["check_id"]] += 1
    return seen


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    checks = declared_checks()
    problems = []
    on_disk = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    for extra in sorted(on_disk - set(checks)):
        problems.append(f"fixtures/{extra}: no check declares this id")
    for check_id in checks:
        for outcome in OUTCOMES:
            if not (FIXTURES / check_id / outcome / "main.tf").is_file():
                problems.append(f"fixtures/{check_id}/{outcome}/main.tf is missing")
    if problems:
        sys.exit("\n".join(problems))

    seen = outcomes(run_checkov(sys.argv[1]))
    good = 0
    for check_id, path in checks.items():
        for outcome in OUTCOMES:
            got = seen.get((check_id, outcome), {"passed": collections.Counter(), "failed": collections.Counter()})
            where = f"fixtures/{check_id}/{outcome}"
            others_failed = sorted(c for c in got["failed"] if c != check_id)
            if outcome == "pass":
                wrong = []
                if not got["passed"][check_id]:
                    wrong.append(f"{check_id} did not pass")
                if got["failed"][check_id]:
                    wrong.append(f"{check_id} failed {got['failed'][check_id]} time(s)")
            else:
                wrong = [] if got["failed"][check_id] else [f"{check_id} did not fail"]
            if others_failed:
                wrong.append(f"other checks failed: {', '.join(others_failed)}")
            if wrong:
                problems.append(f"{where} ({path.name}): {'; '.join(wrong)}")
            else:
                good += 1
                print(f"    ok  {where}: {check_id} {'passed' if outcome == 'pass' else 'failed'} as expected")
    if problems:
        print("\n".join(f"    BAD {p}" for p in problems))
    print(f"fixtures: {good} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
