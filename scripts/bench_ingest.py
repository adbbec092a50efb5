"""Ingest benchmark: rows/s per mode through the project's loaders, next to raw ``psql \\copy``.

    PYTHONPATH=. .venv/bin/python scripts/bench_ingest.py [--size small|tiny|…] [--seed 42] [--days 1]

Generates a rig (the first day carries all history, so it is the biggest), publishes it into a
fresh business database and landing folder in the project's local cluster, then loads every
delivery with the project's loaders (files: csv and xlsx separately; the partner API; the
business database) into a fresh warehouse, timing each mode. In the same run it times
``psql \\copy`` of the very same CSV files into plain text-typed tables (no parsing, no checks,
no quarantine): the ceiling a streaming loader can approach. Databases are dropped at the end.
Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

import ingest  # noqa: E402,F401 - telemetry off first
from ingest.bizdb import connect_source, pull_table  # noqa: E402
from ingest.catalogue import load_catalogue  # noqa: E402
from ingest.db import connect  # noqa: E402
from ingest.files import delivery_folders, load_folder  # noqa: E402
from ingest.localpg import LocalCluster, _pg_bin  # noqa: E402
from ingest.partner_api import PartnerApiClient, load_api_deliveries  # noqa: E402
from ingest.warehouse import ensure_schema  # noqa: E402

TOKEN = "bench-token"
PSQL_ENCODING = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "gbk": "GB18030"}


def _drop(cluster: LocalCluster, names: list[str]) -> None:
    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "-"


def bench(size: str, seed: int, days: int, first: date, work: Path) -> list[tuple]:
    from rig.generate import generate
    from rig.partner_api import PartnerApiServer
    from rig.publish import READER_PASSWORD, READER_ROLE, publish

    catalogue = load_catalogue()
    cluster = LocalCluster()
    cluster.start()
    tag = uuid.uuid4().hex[:8]
    names = [f"bench_wh_{tag}", f"bench_src_{tag}", f"bench_copy_{tag}"]
    wh_dsn, src_dsn, copy_dsn = (cluster.create_database(n) for n in names)
    reader = f"postgresql://{READER_ROLE}:{READER_PASSWORD}@127.0.0.1:{cluster.port}/{names[1]}"
    try:
        t0 = time.perf_counter()
        result = generate(work / "rig", size, seed, first, days)
        print(f"generated a {size} rig in {time.perf_counter() - t0:.1f}s", flush=True)
        landing, api = work / "landing", work / "api"
        t0 = time.perf_counter()
        publish(work / "rig", result.days[-1], src_dsn, landing_dir=landing, api_dir=api)
        print(f"published {len(result.days)} day(s) in {time.perf_counter() - t0:.1f}s", flush=True)
        run_day = result.days[-1]

        stats: dict[str, list] = defaultdict(lambda: [0, 0, 0.0])  # mode -> deliveries, rows, seconds
        csv_files: list[tuple[Path, str, str, int]] = []
        with connect(wh_dsn) as conn:
            ensure_schema(conn)
            for d in catalogue.by_mode("file"):
                for folder in delivery_folders(landing, d):
                    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
                    fmt = d.format or "csv"
                    t0 = time.perf_counter()
                    outcome = load_folder(conn, folder, d)
                    elapsed = time.perf_counter() - t0
                    rows = outcome.rows_loaded + outcome.rows_quarantined
                    s = stats[f"file {fmt}"]
                    s[0], s[1], s[2] = s[0] + 1, s[1] + rows, s[2] + elapsed
                    if fmt == "csv":
                        for f in manifest["files"]:
                            csv_files.append((folder / f["name"], d.encoding or "utf-8", d.delimiter, int(f["rows"])))
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
                    for day in result.days:
                        t0 = time.perf_counter()
                        outcome = pull_table(conn, source, d, day)
                        s = stats["db"]
                        s[0] += outcome.status == "loaded"
                        s[1] += outcome.rows_loaded
                        s[2] += time.perf_counter() - t0

        # psql \copy of the same CSV files into text-typed tables, in one psql session.
        script = []
        with psycopg.connect(copy_dsn, autocommit=True) as conn:
            for i, (path, encoding, delimiter, _) in enumerate(csv_files):
                with open(path, encoding="gb18030" if encoding == "gbk" else "utf-8-sig") as fh:
                    width = len(fh.readline().split(delimiter))
                conn.execute(sql.SQL("create table {} ({})").format(
                    sql.Identifier(f"f{i}"), sql.SQL(", ").join(sql.SQL(f"c{j} text") for j in range(width))))
                opts = f"format csv, header true, delimiter '{delimiter}', encoding '{PSQL_ENCODING[encoding]}'"
                script.append(f"\\copy f{i} from '{path}' with ({opts})")
        script_path = work / "copy.sql"
        script_path.write_text("\n".join(script) + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        subprocess.run([_pg_bin("psql"), copy_dsn, "-q", "-v", "ON_ERROR_STOP=1", "-f", str(script_path)],
                       check=True, stdout=subprocess.DEVNULL)
        copy_seconds = time.perf_counter() - t0
        copy_rows = sum(r for *_, r in csv_files)
    finally:
        _drop(cluster, names)

    table = []
    for mode in ("file csv", "file xlsx", "api", "db"):
        n, rows, seconds = stats.get(mode, [0, 0, 0.0])
        table.append((mode, n, rows, seconds, _rate(rows, seconds)))
    table.append(("psql \\copy csv", len(csv_files), copy_rows, copy_seconds, _rate(copy_rows, copy_seconds)))
    csv_rate = stats["file csv"][1] / stats["file csv"][2] if stats["file csv"][2] else 0
    copy_rate = copy_rows / copy_seconds if copy_seconds else 0
    print(f"\n{'mode':<16} {'deliveries':>10} {'rows':>10} {'seconds':>8} {'rows/s':>10}")
    for mode, n, rows, seconds, rate in table:
        print(f"{mode:<16} {n:>10} {rows:>10,} {seconds:>8.2f} {rate:>10}")
    if copy_rate:
        print(f"\nproject csv loader / psql \\copy = {csv_rate / copy_rate:.2f} "
              f"(psql \\copy is {copy_rate / csv_rate:.1f}x faster: it types, checks and quarantines nothing)")
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--first-date", default="2026-11-27")
    parser.add_argument("--keep", action="store_true", help="keep the generated rig (printed path)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="minzheng-bench-"))
    try:
        bench(args.size, args.seed, args.days, date.fromisoformat(args.first_date), work)
    finally:
        if args.keep:
            print(f"rig kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
