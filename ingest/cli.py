"""Command line of the warehouse (``python -m ingest.cli …``; the Makefile wraps it).

    run-day DATE [DATE…]   run the daily DAG (dag.test) for business dates, in order
    backfill FROM TO       the same for every date of a range
    demo                   embedded default: local PostgreSQL, a generated city, its partner API
                           and a reference platform; runs the days and prints what happened
    airflow-env            print the environment the Airflow commands need (eval it)
    airflow-standalone     the Airflow UI locally: the daily DAG unpaused with a green last run on a
                           generated city, then `airflow standalone` on the local cluster
    release-rule RULE --business-date D --by NAME
                           release warnings the circuit breaker held (ingest/breaker.py); the
                           next push sends them (needs WAREHOUSE_DSN)
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import ingest  # noqa: F401 - turns telemetry off before anything else is imported

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("MINZHENG_STATE_DIR", PROJECT_ROOT / ".local"))
DAG_ID = "minzheng_daily"


def airflow_env(cluster_dsn_for) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Airflow home, DAGs folder and metadata DB (in the project's PostgreSQL)."""
    home = STATE_DIR / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    meta = cluster_dsn_for("airflow").replace("postgresql://", "postgresql+psycopg2://", 1)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta,
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES_REGEXP": r"(airflow|ingest)\..*",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        "MINZHENG_STATE_DIR": str(STATE_DIR),
    }


def local_airflow_env() -> dict[str, str]:
    from ingest.localpg import LocalCluster

    cluster = LocalCluster()
    cluster.start()
    return airflow_env(cluster.create_database)


def migrate_airflow() -> None:
    """Create or upgrade Airflow's metadata DB (idempotent; fast when already current)."""
    import subprocess

    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True,
                   stdout=subprocess.DEVNULL, env=os.environ.copy())


def logical_date_for(business_date: date) -> datetime:
    """The run for D starts after 02:00 on D+1, Shanghai time (delivery.md)."""
    return datetime.combine(business_date + timedelta(days=1), time(2, 30), tzinfo=ZoneInfo("Asia/Shanghai"))


def run_days(days: list[date]) -> int:
    """Run the DAG for each business date in order; stop at the first failed run."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    if bag.import_errors:
        for path, err in bag.import_errors.items():
            print(f"DAG import error in {path}:\n{err}", file=sys.stderr)
        return 2
    dag = bag.dags[DAG_ID]
    for day in days:
        run = dag.test(logical_date=logical_date_for(day), run_conf={"business_date": day.isoformat()})
        state = str(getattr(run, "state", "unknown"))
        print(f"{DAG_ID} business date {day}: {state}")
        if "success" not in state:
            return 1
    return 0


def date_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def release_rule(rule: str, business_date: date, by: str) -> int:
    from ingest import breaker, config
    from ingest.db import connect

    with connect(config.settings().warehouse_dsn) as conn:
        try:
            n = breaker.release(conn, rule, business_date, by)
        except breaker.NothingHeld as exc:
            print(exc, file=sys.stderr)
            return 1
    print(f"rule {rule} of {business_date} released by {by}: {n} warning revision(s) go with the next push")
    return 0


def airflow_standalone(port: int, *, prepare_only: bool = False, rig_dir: Path | None = None,
                       db_prefix: str = "ui") -> int:
    """The Airflow UI: the daily DAG visible, scheduled (unpaused) and its last run green, then
    ``airflow standalone`` (api-server, scheduler, dag-processor, triggerer) against the local
    cluster, with the partner API and platform of a generated city serving beside it
    (ingest/airflow_ui.py). Loopback only, every user admin (no login). Runs until Ctrl-C."""
    from ingest import airflow_ui

    if "AIRFLOW_HOME" not in os.environ:
        os.environ.update(local_airflow_env())
    with airflow_ui.prepared(rig_dir=rig_dir, db_prefix=db_prefix) as ready:
        print(f"{DAG_ID}: unpaused (02:30 Asia/Shanghai), last run green: business date "
              f"{ready.business_date} ({'run now' if ready.ran_now else 'already recorded'})", flush=True)
        if prepare_only:
            return 0
        return airflow_ui.standalone(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run-day", help="run the daily DAG for business dates")
    run.add_argument("dates", nargs="+", type=date.fromisoformat)
    back = sub.add_parser("backfill", help="run the daily DAG for every date of a range")
    back.add_argument("start", type=date.fromisoformat)
    back.add_argument("end", type=date.fromisoformat)
    demo = sub.add_parser("demo", help="run the embedded default end to end")
    demo.add_argument("--size", default="small", choices=["tiny", "small"])
    demo.add_argument("--days", type=int, default=3)
    demo.add_argument("--first-date", type=date.fromisoformat, default=date(2026, 11, 27))
    demo.add_argument("--seed", type=int, default=42)
    sub.add_parser("airflow-env", help="print export lines for Airflow commands against the local cluster")
    ui = sub.add_parser("airflow-standalone", help="start the Airflow UI (airflow standalone) on the local cluster")
    ui.add_argument("--port", type=int, default=8080)
    ui.add_argument("--prepare-only", action="store_true",
                    help="make the DAG visible, unpaused and green, then exit without starting the UI")
    ui.add_argument("--rig-dir", type=Path, default=None, help="the UI's city (default rigs/ui)")
    ui.add_argument("--db-prefix", default="ui", help="prefix of the city's databases (default ui)")
    rel = sub.add_parser("release-rule", help="release a rule the circuit breaker held for a business date")
    rel.add_argument("rule")
    rel.add_argument("--business-date", required=True, type=date.fromisoformat)
    rel.add_argument("--by", required=True, help="who releases it (recorded in publish.breaker_releases)")
    args = parser.parse_args(argv)

    if args.command == "release-rule":
        return release_rule(args.rule, args.business_date, args.by)

    if args.command == "airflow-standalone":
        return airflow_standalone(args.port, prepare_only=args.prepare_only, rig_dir=args.rig_dir,
                                  db_prefix=args.db_prefix)
    if args.command == "airflow-env":
        for key, value in local_airflow_env().items():
            print(f"export {key}='{value}'")
        return 0
    if "AIRFLOW_HOME" not in os.environ:
        os.environ.update(local_airflow_env())
    migrate_airflow()
    if args.command == "run-day":
        return run_days(sorted(args.dates))
    if args.command == "backfill":
        return run_days(date_range(args.start, args.end))
    from ingest import demo as demo_mod

    return demo_mod.run(size=args.size, days=args.days, first_date=args.first_date, seed=args.seed)


if __name__ == "__main__":
    sys.exit(main())
