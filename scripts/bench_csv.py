"""The city benchmark's CSV stage alone, then the ``psql \\copy`` floor: the ingest ratio in a minute.

    PYTHONPATH=. .venv/bin/python scripts/bench_csv.py [--size city] [--runs 3]

Needs the rig ``make bench SIZE=<size>`` generates (it is cached in rigs/). Each run loads the
initial day's CSV deliveries, straight from the rig's landing folder, into a fresh warehouse as
scripts/bench_city.py does (the same task function on 2 worker processes, largest file first),
then ``psql \\copy`` of the same files into text tables right after, and prints both and their
ratio. For tuning the loaders between full benchmarks; not a test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ingest  # noqa: E402,F401 - telemetry off first
from ingest.catalogue import load_catalogue  # noqa: E402
from ingest.files import delivery_folders  # noqa: E402
from ingest.localpg import LocalCluster  # noqa: E402
from scripts.bench_city import _landing_bytes, _run_tasks, _warm, rig_dir_for  # noqa: E402
from scripts.benchlib import csv_files_of, psql_copy  # noqa: E402

FIRST = date(2026, 11, 27)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="city", choices=["tiny", "small", "city"])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    rigs = sorted((ROOT / "rigs").glob(f"{rig_dir_for(args.size, 42, FIRST, 1).name[:-1]}*"))
    if not rigs:
        raise SystemExit(f"no {args.size} rig in rigs/: run `make bench SIZE={args.size}` once")
    landing = rigs[-1] / "days" / f"{FIRST:%Y%m%d}" / "landing"
    cluster = LocalCluster()
    cluster.start()
    os.environ["LANDING_DIR"] = str(landing)
    catalogue = load_catalogue()
    csv = [d for d in catalogue.by_mode("file") if (d.format or "csv") == "csv"]
    tasks = sorted((("file", d.unit, d.feed.name) for d in csv), key=lambda t: -_landing_bytes(t[1], t[2]))
    files = [f for d in csv for folder in delivery_folders(landing, d) for f in csv_files_of(folder, d)]
    pool = ProcessPoolExecutor(max_workers=args.workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        for run in range(args.runs):
            cluster.drop_databases("bench_csv_wh", "bench_csv_copy")
            os.environ["WAREHOUSE_DSN"] = cluster.create_database("bench_csv_wh")
            from ingest import pipeline

            pipeline.prepare(FIRST)
            list(pool.map(_warm, range(args.workers)))
            t0 = time.perf_counter()
            done = _run_tasks(pool, tasks, FIRST)
            seconds = time.perf_counter() - t0
            rows = done["by_format"]["csv"][1]
            copy_rows, copy_s = psql_copy(cluster.create_database("bench_csv_copy"), files, ROOT / ".local" / "bench" / "csv")
            print(f"run {run + 1}: csv ingest {seconds:.2f} s, {rows:,} rows ({rows / seconds:,.0f}/s); "
                  f"\\copy {copy_s:.2f} s, {copy_rows:,} rows ({copy_rows / copy_s:,.0f}/s); "
                  f"ratio {rows / seconds / (copy_rows / copy_s):.3f}", flush=True)
    finally:
        pool.shutdown()
        cluster.drop_databases("bench_csv_wh", "bench_csv_copy")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
