"""The embedded default: the whole system on one machine, on a generated city.

A project-managed PostgreSQL (warehouse, the bureau's business database, Airflow's metadata),
a synthetic Shenyang from ``rig/``, its partner API and the reference platform on loopback.
``run`` runs the daily DAG for each business date, reruns the last one to show it changes
nothing, and compares the warnings with the rig's independently computed expectations.
The end-to-end test drives the same ``World``.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psycopg

from ingest.db import connect
from ingest.localpg import LocalCluster

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PARTNER_TOKEN = "demo-partner-token"
PLATFORM_TOKEN, PLATFORM_SECRET = "demo-platform-token", "demo-platform-secret"


@dataclass
class World:
    rig_dir: Path
    warehouse_dsn: str
    mz_admin_dsn: str
    platform: object  # rig.platform_server.PlatformServer
    partner_api: object  # rig.partner_api.PartnerApiServer
    business_days: list[date]

    def publish(self, through: date) -> None:
        from rig.publish import publish

        publish(self.rig_dir, through, self.mz_admin_dsn)


@contextmanager
def world(*, rig_dir: Path, db_prefix: str, size: str, days: int, first_date: date, seed: int,
          state_dir: Path, fresh: bool = True) -> Iterator[World]:
    """Fresh databases, a generated rig, both servers, and the environment pointing at them.

    ``fresh=False`` keeps what an earlier ``world`` with the same prefix and rig made (databases,
    generated days, published files, the platform's store) and only starts the servers on it."""
    from rig.generate import generate
    from rig.partner_api import PartnerApiServer
    from rig.platform_server import PlatformServer
    from rig.publish import READER_PASSWORD, READER_ROLE

    cluster = LocalCluster()
    cluster.start()
    names = (f"{db_prefix}_warehouse", f"{db_prefix}_mz_source")
    if fresh:
        cluster.drop_databases(*names)
    warehouse_dsn, mz_admin_dsn = (cluster.create_database(n) for n in names)
    platform_db = state_dir / f"{db_prefix}-platform.sqlite3"
    platform_db.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        for sub in ("landing", "api"):
            shutil.rmtree(rig_dir / sub, ignore_errors=True)
        generate(rig_dir, size=size, seed=seed, first_date=first_date, days=days)
        platform_db.unlink(missing_ok=True)
    partner_api = PartnerApiServer(rig_dir / "api", PARTNER_TOKEN)
    platform = PlatformServer(db_path=str(platform_db), token=PLATFORM_TOKEN, secret=PLATFORM_SECRET)
    partner_url, platform_url = partner_api.start(), platform.start()
    reader_dsn = f"postgresql://{READER_ROLE}:{READER_PASSWORD}@127.0.0.1:{cluster.port}/{names[1]}"
    os.environ.update({
        "WAREHOUSE_DSN": warehouse_dsn, "LANDING_DIR": str(rig_dir / "landing"),
        "PARTNER_API_URL": partner_url, "PARTNER_API_TOKEN": PARTNER_TOKEN,
        "MZ_SOURCE_DSN": reader_dsn, "PLATFORM_URL": platform_url,
        "PLATFORM_TOKEN": PLATFORM_TOKEN, "PLATFORM_SECRET": PLATFORM_SECRET,
    })
    try:
        yield World(rig_dir, warehouse_dsn, mz_admin_dsn, platform, partner_api,
                    [first_date + timedelta(days=i) for i in range(days)])
    finally:
        partner_api.stop()
        platform.stop()


def table_row_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Rows in every table of the warehouse (exact counts), for the rerun check."""
    tables = conn.execute(
        """select table_schema, table_name from information_schema.tables
           where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
           order by 1, 2"""
    ).fetchall()
    return {f"{s}.{t}": conn.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables}


def expected_warnings(rig_dir: Path, day: date) -> set[tuple]:
    path = rig_dir / "expected" / f"{day:%Y%m%d}" / "warnings.csv"
    with open(path, encoding="utf-8") as fh:
        return {(r["warning_id"], r["period_start"], r["period_end"], int(r["months"]), r["amount_at_risk"])
                for r in csv.DictReader(fh)}


def actual_warnings(conn: psycopg.Connection) -> set[tuple]:
    rows = conn.execute(
        "select warning_id, period_start::text, period_end::text, months, amount_at_risk::text "
        "from warnings.fct_warnings").fetchall()
    return {tuple(r) for r in rows}


def compare(w: World, day: date) -> list[str]:
    """Differences between the warehouse's warnings and the rig's expected ones (empty = equal)."""
    with connect(w.warehouse_dsn) as conn:
        actual = actual_warnings(conn)
    expected = expected_warnings(w.rig_dir, day)
    return ([f"unexpected: {r}" for r in sorted(actual - expected)]
            + [f"missing: {r}" for r in sorted(expected - actual)])


def run_day_logged(day: date, log_dir: Path) -> int:
    """The documented command (``python -m ingest.cli run-day D``) in a child process, with
    Airflow's and dbt's task logs going to a file instead of the screen."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"run-{day.isoformat()}.log"
    with open(log, "ab") as fh:
        code = subprocess.run([sys.executable, "-m", "ingest.cli", "run-day", day.isoformat()],
                              stdout=fh, stderr=subprocess.STDOUT, env=os.environ.copy()).returncode
    print(f"  DAG run for {day}: {'success' if code == 0 else 'FAILED'} (task logs: {log})", flush=True)
    return code


def run(*, size: str, days: int, first_date: date, seed: int,
        run_days: Callable[[list[date]], int] | None = None) -> int:
    from ingest import report

    started = time.monotonic()
    state = Path(os.environ.get("MINZHENG_STATE_DIR", PROJECT_ROOT / ".local"))
    log_dir = state / "demo-logs"
    shutil.rmtree(log_dir, ignore_errors=True)
    run_days = run_days or (lambda ds: max(run_day_logged(d, log_dir) for d in ds))
    rig_dir = PROJECT_ROOT / "rigs" / "demo"
    print(f"generating a {size} city (seed {seed}) into {rig_dir} …", flush=True)
    problems = 0
    with world(rig_dir=rig_dir, db_prefix="demo", size=size, days=days, first_date=first_date,
               seed=seed, state_dir=state) as w:
        for day in w.business_days:
            w.publish(day)
            print(f"\n=== business date {day}: partners have published; running the DAG …", flush=True)
            if run_days([day]) != 0:
                print(f"run for {day} FAILED (see the task logs above)")
                return 1
            with connect(w.warehouse_dsn) as conn:
                print(report.day_summary(conn, day))
            held = w.platform.counts()  # type: ignore[attr-defined]
            print(f"platform holds {held['warnings']} warnings ({held['revisions']} revisions) "
                  f"from {held['batches']} batches")
            diff = compare(w, day)
            print(f"warnings equal the rig's independently computed expectations for {day} ✓" if not diff
                  else f"MISMATCH with the rig's expectations for {day}:\n  " + "\n  ".join(diff[:10]))
            problems += bool(diff)

        last = w.business_days[-1]
        with connect(w.warehouse_dsn) as conn:
            before = table_row_counts(conn)
        requests_before = w.platform.counts()["requests"]  # type: ignore[attr-defined]
        print(f"\n=== rerunning business date {last}: nothing may change …", flush=True)
        if run_days([last]) != 0:
            return 1
        with connect(w.warehouse_dsn) as conn:
            after = table_row_counts(conn)
        changed = {t: (before.get(t), n) for t, n in after.items() if before.get(t) != n}
        pushed = w.platform.counts()["requests"] - requests_before  # type: ignore[attr-defined]
        print(f"rerun of {last}: {len(changed)} tables changed {changed or ''}; "
              f"{pushed} requests to the platform")
        problems += bool(changed) + bool(pushed)
        print(f"\nquery the warehouse:\n  psql '{w.warehouse_dsn}' -c "
              "'select rule, program, count(*), sum(amount_at_risk) from warnings.fct_warnings group by 1, 2'")
    print(f"demo finished in {time.monotonic() - started:.0f}s: "
          + ("everything matched" if not problems else f"{problems} problem(s)"))
    return 1 if problems else 0
