"""The Airflow UI path (`python -m ingest.cli airflow-standalone`, `make airflow-ui`): the daily DAG
visible, scheduled and its last run green, first from Airflow's metadata DB after the preparing
part alone (`--prepare-only`), then from the API of a real `airflow standalone`.

The second starts four Airflow components and takes 2.5-4 minutes on two cores, so `make test`
runs it only with MZ_AIRFLOW_STANDALONE_TEST=1. Both run the documented command in a child
process with an Airflow metadata database, home and state of their own (h7_airflow_ui_<random>, a
temporary folder): the session's Airflow environment (tests/conftest.py) and its metadata DB
are shared with the dag.test tests and left alone.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "minzheng_daily"
_RUN = uuid.uuid4().hex[:8]  # two test sessions at once (CI, a developer) must not share them
PREFIX = f"h7_ui_{_RUN}"
META_DB = f"h7_airflow_ui_{_RUN}"
TASK_ENV = ("WAREHOUSE_DSN", "LANDING_DIR", "PARTNER_API_URL", "PARTNER_API_TOKEN", "MZ_SOURCE_DSN",
            "PLATFORM_URL", "PLATFORM_TOKEN", "PLATFORM_SECRET")


@pytest.fixture(scope="module")
def ui(cluster, tmp_path_factory):
    """The command's environment (own metadata DB and state), then the prepared state."""
    state = tmp_path_factory.mktemp("airflow-ui-state")
    cluster.drop_databases(META_DB, f"{PREFIX}_warehouse", f"{PREFIX}_mz_source")
    meta = cluster.create_database(META_DB).replace("postgresql://", "postgresql+psycopg2://", 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW") and k not in TASK_ENV}
    env.update({
        "AIRFLOW_HOME": str(state / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta,
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(state / "airflow" / "logs"),
        "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES_REGEXP": r"(airflow|ingest)\..*",
        "MINZHENG_STATE_DIR": str(state),
        "PYTHONPATH": str(ROOT),
    })
    command = [sys.executable, "-m", "ingest.cli", "airflow-standalone", "--rig-dir", str(state / "rig"),
               "--db-prefix", PREFIX]
    yield {"env": env, "command": command, "state": state, "meta_dsn": cluster.dsn(META_DB),
           "warehouse_dsn": cluster.dsn(f"{PREFIX}_warehouse")}
    cluster.drop_databases(META_DB, f"{PREFIX}_warehouse", f"{PREFIX}_mz_source")


def latest_trigger(now: datetime) -> datetime:
    """The schedule's latest trigger (02:30 Asia/Shanghai) at or before now, worked out by hand."""
    local = now.astimezone(ZoneInfo("Asia/Shanghai"))
    trigger = datetime.combine(local.date(), dtime(2, 30), tzinfo=local.tzinfo)
    return trigger if trigger <= local else trigger - timedelta(days=1)


def metadata(dsn: str) -> dict:
    with psycopg.connect(dsn) as conn:
        serialized = conn.execute("select count(*) from serialized_dag where dag_id = %s", (DAG_ID,)).fetchone()[0]
        paused, schedule, next_run = conn.execute(
            "select is_paused, timetable_summary, next_dagrun from dag where dag_id = %s", (DAG_ID,)).fetchone()
        runs = conn.execute("select state, logical_date, run_type from dag_run where dag_id = %s "
                            "order by logical_date desc nulls last, run_after desc", (DAG_ID,)).fetchall()
    return {"serialized": serialized, "paused": paused, "schedule": schedule, "next_dagrun": next_run,
            "runs": runs}


@pytest.fixture(scope="module")
def prepared(ui):
    started, before = time.monotonic(), datetime.now(ZoneInfo("UTC"))
    done = subprocess.run([*ui["command"], "--prepare-only"], env=ui["env"], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    print(f"prepare (city generated, one DAG run): {time.monotonic() - started:.0f}s")
    return {"stdout": done.stdout, "triggers": {latest_trigger(before), latest_trigger(datetime.now(ZoneInfo("UTC")))}}


def test_prepare_leaves_the_dag_serialized_unpaused_scheduled_and_green(ui, prepared):
    m = metadata(ui["meta_dsn"])
    assert m["serialized"] == 1
    assert m["paused"] is False
    assert m["schedule"] == "30 2 * * *"
    assert m["runs"], "no run recorded"
    state, logical, _ = m["runs"][0]
    assert state == "success"
    # the run made is the one the scheduler would make now, so it makes no other (catchup off)
    assert logical in prepared["triggers"]
    assert "run now" in prepared["stdout"]
    with psycopg.connect(ui["warehouse_dsn"]) as conn:  # it really ran: warnings pushed and recorded
        revisions = conn.execute("select count(*) from publish.warning_revisions").fetchone()[0]
        accepted = conn.execute("select count(*) from publish.outbox where state = 'accepted'").fetchone()[0]
    assert revisions > 0 and accepted == revisions


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - loopback
        return json.loads(resp.read())


def _ours() -> list[str]:
    """Processes still running with this module's Airflow metadata DB in their environment."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if META_DB.encode() in (proc / "environ").read_bytes():
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z" and int(proc.name) != os.getpid():
                    found.append(f"{proc.name} {(proc / 'cmdline').read_bytes().replace(bytes(1), b' ').decode()}")
        except (OSError, IndexError):
            continue
    return found


@pytest.mark.skipif(os.environ.get("MZ_AIRFLOW_STANDALONE_TEST") != "1",
                    reason="starts airflow standalone (2.5-4 min on 2 cores): MZ_AIRFLOW_STANDALONE_TEST=1 runs it")
def test_standalone_api_shows_the_dag_unpaused_with_its_last_run_green(ui, prepared):
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v2/dags/{DAG_ID}"
    log = ui["state"] / "standalone.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([*ui["command"], "--port", str(port)], env=ui["env"], stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        dag = None
        while time.monotonic() - started < 300 and proc.poll() is None:
            try:
                dag = _get(base)
                break
            except OSError:
                time.sleep(2)
        assert dag is not None, f"no API after {time.monotonic() - started:.0f}s:\n{log.read_text()[-4000:]}"
        up = time.monotonic() - started
        assert dag["is_paused"] is False
        assert dag["timetable_summary"] == "30 2 * * *"
        runs = _get(f"{base}/dagRuns?order_by=-logical_date&limit=5")
        assert runs["dag_runs"][0]["state"] == "success"
        # the second start reused the prepared state: no new run by hand, none by the scheduler
        assert runs["total_entries"] == 1, runs
        assert "already recorded" in log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does (standalone has its own session)
        try:
            proc.wait(timeout=150)
        finally:
            leftover = _ours()
            for line in leftover:
                os.kill(int(line.split()[0]), signal.SIGKILL)
            if proc.poll() is None:
                proc.kill()
    print(f"standalone: API up after {up:.0f}s, stopped after {time.monotonic() - started:.0f}s in all")
    assert not leftover, f"still running after Ctrl-C: {leftover}\n{log.read_text()[-3000:]}"
    assert proc.returncode is not None
    assert "Shutting down components" in log.read_text()
