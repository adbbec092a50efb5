"""Benchmark (not a test): wall time and peak memory to generate the rig at sizes small and city.

    .venv/bin/python scripts/bench_rig.py [--sizes small,city] [--days 3] [--rules W01] [--out /tmp/rig-bench]

Each size runs in a child process (``python -m rig generate``) so its peak RSS is its own
(``os.wait4``'s resource usage of that child). Prints one line per size: persons, records
written across all feeds, wall and CPU seconds, peak RSS. ``--rules``
chooses the rules the reference evaluates (default: every rule for small, W01 for city).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES = {"small": None, "city": "W01"}


def run(size: str, out: Path, days: int, rules: str | None) -> dict[str, object]:
    cmd = [sys.executable, "-m", "rig", "generate", "--size", size, "--seed", "42", "--out", str(out),
           "--days", str(days)]
    if rules:
        cmd += ["--rules", rules]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    child = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS (Linux: kilobytes)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({child.returncode})")
    seconds = time.monotonic() - started
    peak_kb = usage.ru_maxrss
    summary = json.loads((out / "rig.json").read_text(encoding="utf-8"))
    records = sum(sum(v) for v in summary["rows"].values())
    return {"size": size, "persons": summary["persons"], "records": records, "seconds": round(seconds, 1),
            "peak_rss_mb": round(peak_kb / 1024), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "rules": rules or "all"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="small,city")
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--rules", help="rules the reference evaluates (default: all for small, W01 for city)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/rig-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the generated rigs")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        out = args.out / size
        result = run(size, out, args.days, args.rules or DEFAULT_RULES.get(size))
        print(f"{result['size']:6} persons {result['persons']:>9,} records {result['records']:>11,} "
              f"rules {result['rules']:4} wall {result['seconds']:>8.1f} s  cpu {result['cpu_s']:>8.1f} s  "
              f"peak RSS {result['peak_rss_mb']} MB",
              flush=True)
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
