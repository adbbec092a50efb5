"""Ingest benchmark: rows/s per mode through the project's loaders, next to raw ``psql \\copy``.

    PYTHONPATH=. .venv/bin/python scripts/bench_ingest.py [--size small|tiny|…] [--seed 42] [--days 1]
        [--rig DIR] [--db-prefix bench_]

Generates a rig (the first day carries all history, so it is the biggest; ``--rig DIR`` keeps
it there and reuses it next time), publishes it into a fresh business database and landing
folder in the project's local cluster, then loads every delivery with the project's loaders
(files: csv and xlsx separately; the partner API; the business database) into a fresh
warehouse, timing each mode. CSV deliveries are loaded twice, into two warehouses: by the COPY
fast path (ingest/fastcopy.py, the default) and by the Python reader (``loader="python"``). In
the same run it times ``psql \\copy`` of the very same CSV files into plain text-typed tables
(no parsing, no checks, no quarantine): the ceiling a loader can approach. Databases are
dropped at the end. Not a test: the figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


import ingest  # noqa: E402,F401 - telemetry off first
from ingest.bizdb import connect_source, pull_table  # noqa: E402
from ingest.catalogue import load_catalogue  # noqa: E402
from ingest.db import connect  # noqa: E402
from ingest.files import delivery_folders, load_folder  # noqa: E402
from ingest.localpg import LocalCluster  # noqa: E402
from ingest.partner_api import PartnerApiClient, load_api_deliveries  # noqa: E402
from ingest.warehouse import ensure_schema  # noqa: E402
from scripts.benchlib import csv_files_of, psql_copy  # noqa: E402 - the \copy floor, shared with bench_city.py

TOKEN = "bench-token"


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "-"


def bench(size: str, seed: int, days: int, first: date, work: Path, rig_dir: Path | None = None,
          prefix: str = "bench_") -> list[tuple]:
    from rig.generate import generate
    from rig.partner_api import PartnerApiServer
    from rig.publish import READER_PASSWORD, READER_ROLE, publish

    catalogue = load_catalogue()
    cluster = LocalCluster()
    cluster.start()
    tag = uuid.uuid4().hex[:8]
    names = [f"{prefix}wh_{tag}", f"{prefix}src_{tag}", f"{prefix}copy_{tag}", f"{prefix}py_{tag}"]
    wh_dsn, src_dsn, copy_dsn, py_dsn = (cluster.create_database(n) for n in names)
    reader = f"postgresql://{READER_ROLE}:{READER_PASSWORD}@127.0.0.1:{cluster.port}/{names[1]}"
    try:
        rig = rig_dir or work / "rig"
        run_days = [first + timedelta(days=i) for i in range(days)]
        if not (rig / "days" / f"{run_days[-1]:%Y%m%d}").is_dir():
            t0 = time.perf_counter()
            generate(rig, size, seed, first, days)
            print(f"generated a {size} rig in {time.perf_counter() - t0:.1f}s", flush=True)
        landing, api = work / "landing", work / "api"
        t0 = time.perf_counter()
        publish(rig, run_days[-1], src_dsn, landing_dir=landing, api_dir=api)
        print(f"published {len(run_days)} day(s) in {time.perf_counter() - t0:.1f}s", flush=True)
        run_day = run_days[-1]

        stats: dict[str, list] = defaultdict(lambda: [0, 0, 0.0])  # mode -> deliveries, rows, seconds
        # psql \copy of the same CSV files into text-typed tables, in one psql session, right
        # before the loaders: on a shared machine the figures compared are taken close together.
        csv_files = [f for d in catalogue.by_mode("file") if (d.format or "csv") == "csv"
                     for folder in delivery_folders(landing, d) for f in csv_files_of(folder, d)]
        copy_rows, copy_seconds = psql_copy(copy_dsn, csv_files, work)
        with connect(wh_dsn) as conn:
            ensure_schema(conn)
            for d in catalogue.by_mode("file"):
                for folder in delivery_folders(landing, d):
                    fmt = d.format or "csv"
                    t0 = time.perf_counter()
                    outcome = load_folder(conn, folder, d)
                    elapsed = time.perf_counter() - t0
                    rows = outcome.rows_loaded + outcome.rows_quarantined
                    s = stats[f"file {fmt}"]
                    s[0], s[1], s[2] = s[0] + 1, s[1] + rows, s[2] + elapsed
            server = PartnerApiServer(api, TOKEN)
            server.start()
            try:
                client = PartnerApiClient(server.base_url, TOKEN)
                for d in catalogue.by_mode("api"):
                    t0 = time.perf_counter()
                    outcomes = load_api_deliveries(conn, client, d, first, run_day)
                    elapsed = time.perf_counter() - t0
                    loaded = [o for o in outcomes if o.status == "loaded"]
                    s = stats["api"]
                    s[0] += len(loaded)
                    s[1] += sum(o.rows_loaded + o.rows_quarantined for o in loaded)
                    s[2] += elapsed
            finally:
                server.stop()
            with connect_source(reader) as source:
                for d in catalogue.by_mode("db"):
                    for day in run_days:
                        t0 = time.perf_counter()
                        outcome = pull_table(conn, source, d, day)
                        s = stats["db"]
                        s[0] += outcome.status == "loaded"
                        s[1] += outcome.rows_loaded
                        s[2] += time.perf_counter() - t0

        # The same CSV deliveries through the Python reader, into a warehouse of their own.
        with connect(py_dsn) as conn:
            ensure_schema(conn)
            for d in catalogue.by_mode("file"):
                if (d.format or "csv") != "csv":
                    continue
                for folder in delivery_folders(landing, d):
                    t0 = time.perf_counter()
                    outcome = load_folder(conn, folder, d, loader="python")
                    s = stats["file csv python"]
                    s[0], s[1] = s[0] + 1, s[1] + outcome.rows_loaded + outcome.rows_quarantined
                    s[2] += time.perf_counter() - t0
    finally:
        cluster.drop_databases(*names)

    table = []
    for mode in ("file csv", "file csv python", "file xlsx", "api", "db"):
        n, rows, seconds = stats.get(mode, [0, 0, 0.0])
        table.append((mode, n, rows, seconds, _rate(rows, seconds)))
    table.append(("psql \\copy csv", len(csv_files), copy_rows, copy_seconds, _rate(copy_rows, copy_seconds)))
    table[0] = ("file csv (copy)", *table[0][1:])
    table[1] = ("file csv (python)", *table[1][1:])
    copy_rate = copy_rows / copy_seconds if copy_seconds else 0
    print(f"\n{'mode':<18} {'deliveries':>10} {'rows':>10} {'seconds':>8} {'rows/s':>10}")
    for mode, n, rows, seconds, rate in table:
        print(f"{mode:<18} {n:>10} {rows:>10,} {seconds:>8.2f} {rate:>10}")
    print()
    for label, key in (("csv fast path (COPY)", "file csv"), ("csv Python path", "file csv python")):
        rate = stats[key][1] / stats[key][2] if stats[key][2] else 0
        if copy_rate and rate:
            print(f"{label} / psql \\copy = {rate / copy_rate:.2f}")
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--first-date", default="2026-11-27")
    parser.add_argument("--keep", action="store_true", help="keep the generated rig (printed path)")
    parser.add_argument("--rig", type=Path, help="generate the rig here once and reuse it")
    parser.add_argument("--db-prefix", default="bench_", help="prefix of the databases it creates")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="minzheng-bench-"))
    try:
        bench(args.size, args.seed, args.days, date.fromisoformat(args.first_date), work, args.rig,
              args.db_prefix)
    finally:
        if args.keep:
            print(f"rig kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
