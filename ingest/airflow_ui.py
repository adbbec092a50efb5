"""The Airflow UI on the embedded default (``python -m ingest.cli airflow-standalone``, ``make airflow-ui``).

:func:`prepared` makes what the UI is to show true before ``airflow standalone`` starts, and
keeps it true while it runs:

1. **visible**: Airflow's metadata DB is migrated and the DAG serialized (``dags reserialize``);
2. **last run green**: the run the scheduler would make now, for the latest 02:30 Shanghai
   trigger (business date: the day before), is run through the real DAG (``ingest.cli run-day``,
   i.e. ``dag.test``) on a generated tiny city unless a successful run of it is already
   recorded. The scheduler finds that run in place and waits for the next trigger instead of
   making a new one;
3. **scheduled**: the DAG is unpaused, and the environment its tasks read (``WAREHOUSE_DSN``,
   ``LANDING_DIR``, ``PARTNER_API_URL``, ``MZ_SOURCE_DSN``, ``PLATFORM_*``) is this process's,
   which ``airflow standalone`` (a child) and its scheduler inherit; the partner API and the
   reference platform serve from this process for as long as the context is open.

The city is its own embedded default, beside the demo's (prefix ``ui``: databases
``ui_warehouse``/``ui_mz_source``, rig ``rigs/ui``, platform store ``.local/ui-platform.sqlite3``),
generated for the business dates from the one the UI needs onwards (``DAYS``), and kept: the
next start reuses it. Each day it holds is published as that day's deliveries arrive (a thread
publishes through the current business date every minute), so tomorrow's scheduled run finds
its data like a real one would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ingest import demo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DAG_ID = "minzheng_daily"
SHANGHAI = ZoneInfo("Asia/Shanghai")
UI_PREFIX = "ui"
DAYS = 3  # business dates generated: the one the UI needs and the next two scheduled ones
PUBLISH_EVERY_S = 60.0


@dataclass
class Prepared:
    logical_date: datetime  # the run the scheduler would make now (its latest trigger)
    business_date: date
    ran_now: bool  # False: a successful run of it was already recorded
    world: demo.World


def _airflow(*args: str, quiet: bool = True) -> None:
    subprocess.run([sys.executable, "-m", "airflow", *args], check=True,
                   stdout=subprocess.DEVNULL if quiet else None, env=os.environ.copy())


def scheduled_target() -> tuple[datetime, date]:
    """The logical date of the run the scheduler makes when the DAG is unpaused now (catchup is
    off: its latest trigger), and that run's business date. Needs Airflow's environment."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    from ingest.airflow_factory import business_date_for

    dag = DagBag(dag_folder=str(PROJECT_ROOT / "dags")).dags[DAG_ID]
    info = coerce_to_core_timetable(dag.timetable).next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=dag.start_date, latest=None, catchup=False))
    if info is None or info.logical_date is None:
        raise RuntimeError(f"{DAG_ID} has no scheduled run to make")
    logical = info.logical_date
    return logical, business_date_for({}, logical)


def run_state(logical_date: datetime) -> str | None:
    """State of the DAG's run at this logical date in Airflow's metadata DB, if any."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        state = session.scalar(select(DagRun.state).where(DagRun.dag_id == DAG_ID,
                                                          DagRun.logical_date == logical_date))
    return None if state is None else str(state)


def _world_covers(rig_dir: Path, day: date, state_dir: Path, db_prefix: str) -> bool:
    """Whether the kept city has the business date and its stores are all still there."""
    import psycopg

    from ingest.localpg import LocalCluster

    if not ((rig_dir / "rig.json").is_file() and (rig_dir / "days" / f"{day:%Y%m%d}").is_dir()
            and (state_dir / f"{db_prefix}-platform.sqlite3").is_file()):
        return False
    names = [f"{db_prefix}_warehouse", f"{db_prefix}_mz_source"]
    with psycopg.connect(LocalCluster().dsn("postgres")) as conn:
        found = conn.execute("select count(*) from pg_database where datname = any(%s)", (names,)).fetchone()
    return bool(found and found[0] == len(names))


def current_business_date(now: datetime | None = None) -> date:
    """The latest business date whose deliveries are out: yesterday in Shanghai."""
    return (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI).date() - timedelta(days=1)


class _Publisher(threading.Thread):
    """Publishes the city's days up to the current business date, as partners would."""

    def __init__(self, world: demo.World, interval_s: float = PUBLISH_EVERY_S) -> None:
        super().__init__(name="ui-rig-publisher", daemon=True)
        self.world, self.interval_s = world, interval_s
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval_s):
            try:
                self.world.publish(current_business_date())
            except Exception as exc:  # keep serving; the next round tries again
                print(f"publishing the city's deliveries failed: {exc}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)


@contextmanager
def prepared(*, rig_dir: Path | None = None, db_prefix: str = UI_PREFIX, state_dir: Path | None = None,
             size: str = "tiny", seed: int = 42, log=print) -> Iterator[Prepared]:  # type: ignore[no-untyped-def]
    """Visible, scheduled, last run green (see the module's doc); servers up while open.

    Airflow's environment (``AIRFLOW_HOME``, its metadata DB…) must be in ``os.environ``."""
    from ingest.cli import migrate_airflow

    state_dir = Path(state_dir or os.environ.get("MINZHENG_STATE_DIR", PROJECT_ROOT / ".local"))
    rig_dir = Path(rig_dir or PROJECT_ROOT / "rigs" / db_prefix)
    migrate_airflow()
    _airflow("dags", "reserialize")
    logical, day = scheduled_target()
    state = run_state(logical)
    fresh = not _world_covers(rig_dir, day, state_dir, db_prefix)
    if fresh:
        log(f"generating a {size} city for business dates from {day} into {rig_dir} …")
    with demo.world(rig_dir=rig_dir, db_prefix=db_prefix, size=size, days=DAYS, first_date=day, seed=seed,
                    state_dir=state_dir, fresh=fresh) as w:
        w.publish(day)  # later days: the publisher thread, as each comes round
        ran_now = state != "success"
        if ran_now:
            log(f"running {DAG_ID} for business date {day} (the scheduler's latest trigger, "
                f"{logical.isoformat()}) …")
            if demo.run_day_logged(day, state_dir / "airflow-ui-logs") != 0 or run_state(logical) != "success":
                raise RuntimeError(f"the run of {DAG_ID} for {day} failed: see {state_dir / 'airflow-ui-logs'}")
        else:
            log(f"{DAG_ID}: the run for business date {day} is already green")
        _airflow("dags", "unpause", DAG_ID)
        publisher = _Publisher(w)
        publisher.start()
        try:
            yield Prepared(logical, day, ran_now, w)
        finally:
            publisher.stop()


def standalone(port: int) -> int:
    """``airflow standalone`` on loopback (every user admin, no login) until it ends or Ctrl-C."""
    os.environ.update({
        "AIRFLOW__API__HOST": "127.0.0.1", "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        # standalone starts its components as `airflow …` from PATH: the venv's
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    })
    # LocalExecutor starts this many workers up front (default 32): a few do for one tiny city
    os.environ.setdefault("AIRFLOW__CORE__PARALLELISM", "8")
    # a busy two-core machine answers a task's first Execution-API call in more than the 5 s default
    os.environ.setdefault("AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT", "60")
    print(f"Airflow UI: http://127.0.0.1:{port}/dags/{DAG_ID} (Ctrl-C stops it)", flush=True)
    # Its own session: a terminal's Ctrl-C reaches this process only, not every worker of the
    # scheduler's LocalExecutor at once (that leaves the scheduler waiting for them forever);
    # standalone is then stopped the way it expects, by a SIGINT to it alone.
    child = subprocess.Popen([sys.executable, "-m", "airflow", "standalone"], env=os.environ.copy(),
                             start_new_session=True)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return child.wait()
    except KeyboardInterrupt:
        return stop_standalone(child)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum, frame) -> None:  # type: ignore[no-untyped-def]
    raise KeyboardInterrupt


def stop_standalone(child: subprocess.Popen, grace_s: float = 60) -> int:
    """SIGINT to standalone (it stops its components), then its whole process group if need be.
    Bounded (at most ~90 s), so a second Ctrl-C meanwhile is ignored rather than orphaning it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print("stopping Airflow standalone …", flush=True)
    steps = ((lambda: child.send_signal(signal.SIGINT), grace_s),
             (lambda: os.killpg(child.pid, signal.SIGTERM), 15.0),
             (lambda: os.killpg(child.pid, signal.SIGKILL), 15.0))
    for send, wait_s in steps:
        try:
            send()
        except ProcessLookupError:
            pass
        try:
            child.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
        try:  # standalone ended: anything of its group left (a worker) goes too
            os.killpg(child.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        break
    return child.wait()
