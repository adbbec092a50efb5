"""Benchmark (not a test): the daily pipeline end to end on a generated city, per stage and day,
against its floor.

    PYTHONPATH=. .venv/bin/python scripts/bench_city.py [--size city|small|tiny] [--seed 42]
        [--deltas 3] [--dag-overhead] [--keep] [--out .local/bench/city-<stamp>.json]

1. Generates the rig into ``rigs/bench-<size>-s<seed>-<first>-d<days>`` in a child process
   (timed, with its own peak RSS), or reuses it when its ``rig.json`` says the same size, seed,
   first date, days and rules.
2. Into fresh databases ``h8b_<size>_*`` of the project's local cluster, for the initial
   (history) business day and then ``--deltas`` daily deltas: publishes the day (rig: landing
   files, partner API files, business DB; timed apart, not the pipeline's cost), then runs the
   DAG's stages with the very functions its tasks call (``ingest/pipeline.py``), in DAG order:
   prepare, ingest (files, API, business DB; per unit and feed as the factory maps them), dbt
   build, quality gate, publish (revise, breaker, push to the reference platform), pull
   verifications, summary. Per stage: wall time, rows (rows/s where it means something), peak
   memory (RSS of this process and its children; PSS of the PostgreSQL processes serving the
   benchmark's databases, sampled from /proc every 0.25 s); per day: the database size.
3. After the initial day, the floor: (a) ``psql \\copy`` of the same landing CSV files into
   text-typed tables (``scripts/benchlib.psql_copy``, shared with bench_ingest.py); (b) the
   transform by hand: the compiled SQL of dbt's models of that build run directly as CREATE
   TABLE AS / CREATE VIEW in dependency order, no tests, no contracts, no dbt
   (``scripts/benchlib.hand_sql_floor``).
4. Prints the ratios against the targets (initial day <= 2x floor; file ingest >= 0.7x the
   \\copy rate; each delta <= 10% of the initial day; peak memory < 4 GB) and writes every
   figure as JSON under ``.local/bench/``. Drops the databases unless ``--keep``.

Stages run as functions, not through Airflow: ``dag.test`` runs the same functions and adds
only scheduling overhead (parsing the DAG, creating the run and task instances in Airflow's
metadata DB, one process per task's logging, XCom). ``--dag-overhead`` measures it once: after
the initial day it runs that same day with ``python -m ingest.cli run-day`` (dag.test) into a
second fresh warehouse (with its own Airflow metadata DB ``h8b_airflow`` and platform) and
reports the difference of wall times.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform as platform_mod
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

import ingest  # noqa: E402,F401 - telemetry off first
from ingest.catalogue import load_catalogue  # noqa: E402
from ingest.files import delivery_folders  # noqa: E402
from ingest.localpg import LocalCluster  # noqa: E402
from scripts.benchlib import MemorySampler, csv_files_of, hand_sql_floor, load_direct_kernels, psql_copy  # noqa: E402

PARTNER_TOKEN = "bench-partner-token"
PLATFORM_TOKEN, PLATFORM_SECRET = "bench-platform-token", "bench-platform-secret"
DEFAULT_RULES = {"city": "W01"}  # as `python -m rig generate`: the reference evaluates W01 only on city
TARGETS = {"initial_vs_floor_max": 2.0, "ingest_vs_copy_min": 0.7, "delta_vs_initial_max": 0.10,
           "peak_memory_mb_max": 4096}


def _load() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def _git_state() -> dict:
    """The commit and the files changed in the working tree: the figures belong to that code."""
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {"head": git("rev-parse", "--short", "HEAD"), "changed": git("status", "--short").splitlines()}


# ---- rig ---------------------------------------------------------------------------------------

def rig_dir_for(size: str, seed: int, first: date, days: int) -> Path:
    return ROOT / "rigs" / f"bench-{size}-s{seed}-{first:%Y%m%d}-d{days}"


def _cached_rig(size: str, seed: int, first: date, days: int, rules: str | None) -> Path | None:
    """A rig in rigs/ of the same size, seed, first date and rules holding at least these days
    (the days are generated from the seed one by one; publishing through day N ignores later ones)."""
    want_days = [f"{first + timedelta(days=i):%Y%m%d}" for i in range(days)]
    want_rules = sorted(rules.split(",")) if rules else None
    for candidate in sorted((ROOT / "rigs").glob(f"bench-{size}-s{seed}-{first:%Y%m%d}-d*")):
        summary_path = candidate / "rig.json"
        if not summary_path.exists():
            continue
        s = json.loads(summary_path.read_text(encoding="utf-8"))
        if (s["size"], s["seed"], s["first_date"]) == (size, seed, first.isoformat()) \
                and s["days"][:days] == want_days and (want_rules is None or s.get("rules") == want_rules):
            return candidate
    return None


def ensure_rig(size: str, seed: int, first: date, days: int, rules: str | None) -> dict:
    """The cached rig if its parameters match, else a new one generated in a child process."""
    out = rig_dir_for(size, seed, first, days)
    cached = _cached_rig(size, seed, first, days, rules)
    if cached is not None:
        s = json.loads((cached / "rig.json").read_text(encoding="utf-8"))
        return {"dir": str(cached), "cached": True, "seconds": 0.0, "peak_rss_mb": None,
                "persons": s["persons"], "records": sum(sum(v[:days]) for v in s["rows"].values()),
                "rows_by_feed": {k: v[:days] for k, v in s["rows"].items()}}
    summary_path = out / "rig.json"
    cmd = [sys.executable, "-m", "rig", "generate", "--size", size, "--seed", str(seed), "--out", str(out),
           "--first-date", first.isoformat(), "--days", str(days)]
    if rules:
        cmd += ["--rules", rules]
    print(f"generating the {size} rig into {out} …", flush=True)
    t0 = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(cmd)} failed")
    s = json.loads(summary_path.read_text(encoding="utf-8"))
    return {"dir": str(out), "cached": False, "seconds": round(time.perf_counter() - t0, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "persons": s["persons"], "records": sum(sum(v) for v in s["rows"].values()),
            "rows_by_feed": s["rows"]}


# ---- one business day through the DAG's functions -------------------------------------------

def _outcome_rows(outcomes: list[dict]) -> tuple[int, int]:
    loaded = [o for o in outcomes if o["status"] == "loaded"]
    return len(loaded), sum(o["rows_loaded"] + o["rows_quarantined"] for o in loaded)


def _dbt_results(target: Path) -> dict:
    path = target / "run_results.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    models = [r for r in results if r["unique_id"].startswith("model.")]
    tests = [r for r in results if r["unique_id"].startswith(("test.", "unit_test."))]
    rows = sum((r.get("adapter_response") or {}).get("rows_affected", 0) or 0 for r in models)
    slow = sorted(models, key=lambda r: -r["execution_time"])[:8]
    slow_tests = sorted(tests, key=lambda r: -r["execution_time"])[:5]
    return {"models": len(models), "tests": len(tests), "rows": rows,
            "model_seconds": round(sum(r["execution_time"] for r in models), 1),
            "test_seconds": round(sum(r["execution_time"] for r in tests), 1),
            "slowest_models": [(r["unique_id"].split(".")[-1], round(r["execution_time"], 1)) for r in slow],
            "slowest_tests": [(r["unique_id"].split(".", 2)[2][:70], round(r["execution_time"], 1)) for r in slow_tests]}


def run_day(day: date, sampler: MemorySampler, target: Path, wh_dsn: str, pool: ProcessPoolExecutor,
            workers: int) -> dict:
    from ingest import pipeline

    catalogue = load_catalogue()
    stages: list[dict] = []

    def stage(name: str, fn, rows_of=None, rate: bool = False):  # type: ignore[no-untyped-def]
        sampler.mark()
        load0 = _load()
        t0 = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - t0
        entry = {"stage": name, "seconds": round(seconds, 2), "memory_mb": sampler.peak(), "cpu_s": sampler.cpu(),
                 "load": load0}
        if rows_of is not None:
            entry.update(rows_of(value))
            if rate and entry.get("rows"):
                entry["rows_per_s"] = round(entry["rows"] / seconds) if seconds else None
        stages.append(entry)
        print(f"  {name:<20} {seconds:>8.1f} s  rows {entry.get('rows', ''):>10}  "
              f"py {entry['memory_mb']['py']:>7.0f} MB  pg {entry['memory_mb']['pg']:>7.0f} MB  "
              f"cpu py {entry['cpu_s']['py']:>7.1f} s pg {entry['cpu_s']['pg']:>7.1f} s  load {load0}", flush=True)
        return value

    stage("prepare", lambda: pipeline.prepare(day))

    def ingest_mode(mode: str):  # type: ignore[no-untyped-def]
        def run() -> dict:
            if mode == "db":
                tasks = [("db", "MZ", feed) for feed in sorted({d.feed.name for d in catalogue.by_mode("db")})]
                return _run_tasks(pool, tasks, day)
            tasks = [(mode, d.unit, d.feed.name, (d.format or "csv") if mode == "file" else "json")
                     for d in catalogue.by_mode(mode)]
            if mode == "api":
                return _run_tasks(pool, [t[:3] for t in tasks], day)
            # CSV first, on its own (its wall time is the rate compared with \copy), largest first
            # so the workers end together; then the other formats
            csv = sorted((t for t in tasks if t[3] == "csv"), key=lambda t: -_landing_bytes(t[1], t[2]))
            done = _run_tasks(pool, [t[:3] for t in csv], day)
            rest = _run_tasks(pool, [t[:3] for t in tasks if t[3] != "csv"], day)
            for fmt, acc in rest["by_format"].items():
                done["by_format"][fmt] = acc
            done["outcomes"] += rest["outcomes"]
            return done
        return run

    def ingest_rows(v: dict) -> dict:
        n, rows = _outcome_rows(v["outcomes"])
        statuses: dict[str, int] = {}
        for o in v["outcomes"]:
            statuses[o["status"]] = statuses.get(o["status"], 0) + 1
        return {"deliveries": n, "rows": rows, "statuses": statuses, "workers": workers,
                "by_format": {k: {"deliveries": a, "rows": r, "seconds": round(w, 2), "task_seconds": round(t, 2),
                                  "rows_per_s": round(r / w) if w else None}
                              for k, (a, r, w, t) in v["by_format"].items()}}

    stage("ingest_files", ingest_mode("file"), ingest_rows, rate=True)
    stage("ingest_api", ingest_mode("api"), ingest_rows, rate=True)
    stage("ingest_db", ingest_mode("db"), ingest_rows, rate=True)
    stage("dbt_build", lambda: pipeline.build_models(day.isoformat()), lambda _: _dbt_results(target), rate=True)
    stage("quality_gate", lambda: pipeline.quality_gate(day.isoformat()), lambda m: {"result": str(m)[:300]})
    stage("publish", lambda: pipeline.publish(day.isoformat()),
          lambda r: {"rows": r.get("new_or_changed", 0) + r.get("withdrawn", 0),
                     "result": {k: v for k, v in r.items() if k != "rejections"}})
    stage("pull_verifications", lambda: pipeline.pull_verifications(day.isoformat()),
          lambda r: {"rows": r.get("items", 0), "result": r})
    stage("summary", lambda: pipeline.summary(day.isoformat()))
    with psycopg.connect(wh_dsn) as conn:
        db_bytes = conn.execute("select pg_database_size(current_database())").fetchone()[0]
        warnings = conn.execute("select count(*) from warnings.fct_warnings").fetchone()[0]
    total = sum(s["seconds"] for s in stages)
    peak = {k: max(s["memory_mb"][k] for s in stages) for k in ("py", "pg", "total")}
    return {"business_date": day.isoformat(), "seconds": round(total, 1), "stages": stages,
            "db_size_mb": round(db_bytes / 2**20), "warnings": warnings, "peak_memory_mb": peak}


# ---- ingest tasks in parallel, as the executor runs them ------------------------------------

def _ingest_task(mode: str, unit: str, feed: str, day_iso: str) -> tuple[float, list[dict]]:
    """One ingest task of the DAG (unit, feed), in a worker process like an executor's task."""
    from ingest import pipeline

    day = date.fromisoformat(day_iso)
    t0 = time.perf_counter()
    if mode == "db":
        got = pipeline.ingest_db(feed, day)
    elif mode == "file":
        got = pipeline.ingest_files(unit, feed, day)
    else:
        got = pipeline.ingest_api(unit, feed, day)
    return time.perf_counter() - t0, got


def _warm(_: int) -> int:
    """The task's imports and the CSV direct path's compiled loops (numba: ~3 s in a new process,
    see ``kernel_load_seconds``), paid once per worker like a warm executor."""
    import ingest.pipeline  # noqa: F401

    load_direct_kernels()
    time.sleep(0.5)  # keep this worker busy so every worker gets a warm-up
    return os.getpid()


_KERNEL_LOAD = """
import time
t0 = time.perf_counter()
import ingest.pipeline
t1 = time.perf_counter()
from scripts.benchlib import load_direct_kernels
load_direct_kernels()
print(round(t1 - t0, 2), round(time.perf_counter() - t1, 2))
"""


def kernel_load_seconds() -> dict:
    """What a new task process pays before its first CSV file of 4 MB or more: the task's imports,
    then numba and the direct path's compiled loops (from numba's cache); the benchmark's workers
    pay it in their warm-up."""
    out = subprocess.run([sys.executable, "-c", _KERNEL_LOAD], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    imports, kernels = (float(x) for x in out.stdout.split()[-2:])
    return {"task_imports_s": imports, "numba_and_kernels_s": kernels}


def _landing_bytes(unit: str, feed: str) -> int:
    folder = Path(os.environ["LANDING_DIR"]) / unit / feed
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.is_dir() else 0


def _run_tasks(pool: ProcessPoolExecutor, tasks: list[tuple[str, str, str]], day: date) -> dict:
    """Every task on the pool; by format: deliveries, rows, wall seconds of the group, task seconds."""
    if not tasks:
        return {"outcomes": [], "by_format": {}}
    catalogue = load_catalogue()
    t0 = time.perf_counter()
    futures = {pool.submit(_ingest_task, mode, unit, feed, day.isoformat()): (mode, unit, feed)
               for mode, unit, feed in tasks}
    outcomes: list[dict] = []
    by_format: dict[str, list] = {}
    for future, (mode, unit, feed) in futures.items():
        seconds, got = future.result()
        fmt = (catalogue.delivery(unit, feed).format or "csv") if mode == "file" else mode
        n, rows = _outcome_rows(got)
        acc = by_format.setdefault(fmt, [0, 0, 0.0, 0.0])
        acc[0], acc[1], acc[3] = acc[0] + n, acc[1] + rows, acc[3] + seconds
        outcomes += got
    wall = time.perf_counter() - t0
    for acc in by_format.values():
        acc[2] = wall
    return {"outcomes": outcomes, "by_format": by_format}


# ---- dag.test overhead ------------------------------------------------------------------------

def dag_overhead(cluster: LocalCluster, tag: str, day: date, state: Path) -> dict:
    """The same day through ``python -m ingest.cli run-day`` (dag.test) into a fresh warehouse."""
    from rig.platform_server import PlatformServer

    wh = cluster.create_database(f"{tag}_dagwh")
    meta = cluster.create_database(f"{tag}_airflow").replace("postgresql://", "postgresql+psycopg2://", 1)
    home = state / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    platform_db = state / "dag-platform.sqlite3"
    platform_db.unlink(missing_ok=True)
    platform = PlatformServer(db_path=str(platform_db), token=PLATFORM_TOKEN, secret=PLATFORM_SECRET)
    url = platform.start()
    env = {**os.environ, "WAREHOUSE_DSN": wh, "PLATFORM_URL": url, "MINZHENG_STATE_DIR": str(state),
           "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta,
           "AIRFLOW__CORE__EXECUTOR": "LocalExecutor", "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
           "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
           "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES_REGEXP": r"(airflow|ingest)\..*",
           "PYTHONPATH": str(ROOT)}
    log = state / f"dag-test-{day}.log"
    try:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        migrate_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with open(log, "wb") as fh:
            code = subprocess.run([sys.executable, "-m", "ingest.cli", "run-day", day.isoformat()], env=env,
                                  stdout=fh, stderr=subprocess.STDOUT).returncode
        seconds = time.perf_counter() - t0
    finally:
        platform.stop()
    return {"airflow_db_migrate_s": round(migrate_s, 1), "run_day_s": round(seconds, 1),
            "exit_code": code, "log": str(log)}


# ---- main -----------------------------------------------------------------------------------

def days_done(wh_dsn: str, first: date) -> int:
    """Business days a kept warehouse has run since `first` (the ledger's latest business date;
    the initial day's deliveries may carry earlier ones)."""
    with psycopg.connect(wh_dsn) as conn:
        last = conn.execute("select max(business_date) from meta.deliveries").fetchone()[0]
    return (last - first).days + 1 if last and last >= first else 0


def wait_for_autovacuum(cluster: LocalCluster, tag: str, limit_s: float = 900.0) -> float:
    """Seconds until no autovacuum worker runs in the benchmark's databases (at most limit_s)."""
    t0 = time.perf_counter()
    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
        while time.perf_counter() - t0 < limit_s:
            busy = conn.execute("select count(*) from pg_stat_activity where backend_type = 'autovacuum worker' "
                                "and datname like %s", (f"{tag}%",)).fetchone()[0]
            if not busy:
                break
            time.sleep(2)
    return time.perf_counter() - t0


def bench(args: argparse.Namespace) -> dict:
    from rig.partner_api import PartnerApiServer
    from rig.platform_server import PlatformServer
    from rig.publish import READER_PASSWORD, READER_ROLE, publish

    first = date.fromisoformat(args.first_date)
    days = 1 + args.deltas
    rules = args.rules if args.rules is not None else DEFAULT_RULES.get(args.size)
    tag = f"h8b_{args.size}"
    state = ROOT / ".local" / "bench" / f"state-{args.size}"
    if not args.resume:
        shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True, exist_ok=True)
    os.environ["MINZHENG_STATE_DIR"] = str(state)  # dbt target and logs of this run, apart from the demo's
    os.environ.setdefault("DBT_QUIET", "True")  # dbt's per-node lines off the screen (errors still show)
    target = state / "dbt" / "target"
    report: dict = {"size": args.size, "seed": args.seed, "first_date": first.isoformat(), "deltas": args.deltas,
                    "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": {"cpus": os.cpu_count(), "python": platform_mod.python_version(),
                                "mem_total_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                                "load_at_start": _load()},
                    "targets": TARGETS, "git": _git_state()}

    cluster = LocalCluster()
    cluster.start()
    with psycopg.connect(cluster.dsn("postgres")) as conn:
        report["machine"]["pg_settings"] = dict(conn.execute(
            "select name, current_setting(name) from pg_settings where name = any(%s)",
            (["shared_buffers", "work_mem", "maintenance_work_mem", "max_wal_size", "synchronous_commit",
              "fsync", "max_parallel_workers_per_gather", "effective_cache_size", "wal_level",
              "checkpoint_timeout"],)).fetchall())
        report["machine"]["server_version"] = conn.execute("show server_version").fetchone()[0]
    names = [f"{tag}_wh", f"{tag}_src", f"{tag}_copy", f"{tag}_dagwh", f"{tag}_airflow"]
    if not args.resume:
        cluster.drop_databases(*names)

    t0 = time.perf_counter()
    report["rig"] = ensure_rig(args.size, args.seed, first, days, rules)
    report["rig"]["wall_s_incl_check"] = round(time.perf_counter() - t0, 1)
    rig = Path(report["rig"]["dir"])
    print(f"rig: {report['rig']['persons']:,} persons, {report['rig']['records']:,} records "
          f"({'cached' if report['rig']['cached'] else 'generated in {:.0f} s'.format(report['rig']['seconds'])})", flush=True)

    work = state / "published"
    landing, api = work / "landing", work / "api"
    wh_dsn, src_dsn = cluster.create_database(names[0]), cluster.create_database(names[1])
    copy_dsn = cluster.create_database(names[2])
    reader = f"postgresql://{READER_ROLE}:{READER_PASSWORD}@127.0.0.1:{cluster.port}/{names[1]}"
    partner_api = PartnerApiServer(api, PARTNER_TOKEN)
    platform_db = state / "platform.sqlite3"
    platform = PlatformServer(db_path=str(platform_db), token=PLATFORM_TOKEN, secret=PLATFORM_SECRET)
    api.mkdir(parents=True, exist_ok=True)
    partner_url, platform_url = partner_api.start(), platform.start()
    os.environ.update({
        "WAREHOUSE_DSN": wh_dsn, "LANDING_DIR": str(landing), "PARTNER_API_URL": partner_url,
        "PARTNER_API_TOKEN": PARTNER_TOKEN, "MZ_SOURCE_DSN": reader, "PLATFORM_URL": platform_url,
        "PLATFORM_TOKEN": PLATFORM_TOKEN, "PLATFORM_SECRET": PLATFORM_SECRET,
    })
    report["days"] = []
    report["ingest_workers"] = args.workers
    report["csv_kernel_load"] = kernel_load_seconds()
    print(f"a new task process: imports {report['csv_kernel_load']['task_imports_s']} s, then numba and the "
          f"CSV kernels {report['csv_kernel_load']['numba_and_kernels_s']} s (the workers pay both in their warm-up)",
          flush=True)
    done = days_done(wh_dsn, first) if args.resume else 0
    if args.resume:
        report["resumed_after_days"] = done
        print(f"resuming a kept run: {done} business days in the warehouse", flush=True)
    # the ingest tasks run side by side, as the executor runs the DAG's parallel ingest tasks
    pool = ProcessPoolExecutor(max_workers=args.workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        list(pool.map(_warm, range(args.workers)))
        with MemorySampler(cluster, tag) as sampler:
            for i in range(done, days):
                day = first + timedelta(days=i)
                # a delta comes a day after the one before: the autovacuum the previous day
                # started (the history load's millions of new rows) is not that delta's cost
                settle_s = wait_for_autovacuum(cluster, tag) if i else None
                if settle_s is not None:
                    print(f"  (waited {settle_s:.0f} s for autovacuum to finish before the delta)", flush=True)
                t0 = time.perf_counter()
                published = publish(rig, day, src_dsn, landing_dir=landing, api_dir=api)
                publish_s = time.perf_counter() - t0
                kind = "initial" if i == 0 else f"delta {i}"
                print(f"\n=== {kind} business date {day} (rig published in {publish_s:.1f} s: "
                      f"{published.deliveries_copied} deliveries, {sum(published.mz_rows.values()):,} mz rows) "
                      f"load {_load()}", flush=True)
                result = run_day(day, sampler, target, wh_dsn, pool, args.workers)
                # each day's per-node timings, for "what bounds the dbt build" (target/ keeps the last)
                shutil.copy(target / "run_results.json", state / f"run_results-{kind.replace(' ', '')}.json")
                result.update({"kind": kind, "rig_publish_s": round(publish_s, 1)})
                if settle_s is not None:
                    result["autovacuum_wait_s"] = round(settle_s, 1)
                report["days"].append(result)
                print(f"  {'day total':<20} {result['seconds']:>8.1f} s  db {result['db_size_mb']:,} MB  "
                      f"warnings {result['warnings']:,}  peak py+pg {result['peak_memory_mb']['total']:.0f} MB",
                      flush=True)
                _write(report, args.out)
                if i == 0 and not args.no_floor:
                    report["floor"] = floors(copy_dsn, wh_dsn, landing, target, state, sampler, args.workers)
                    _write(report, args.out)
                    if args.dag_overhead:
                        print("dag.test overhead: the same day via `python -m ingest.cli run-day` …", flush=True)
                        d = dag_overhead(cluster, tag, day, state / "dag")
                        d["overhead_s"] = round(d["run_day_s"] - result["seconds"], 1)
                        report["dag_test"] = d
                        print(f"  dag.test {d['run_day_s']:.1f} s vs functions {result['seconds']:.1f} s: "
                              f"overhead {d['overhead_s']:+.1f} s (exit {d['exit_code']})", flush=True)
                        _write(report, args.out)
            report["peak_memory_mb"] = sampler.overall_mb()
    finally:
        pool.shutdown(cancel_futures=True)
        partner_api.stop()
        platform.stop()
        if not args.keep:
            cluster.drop_databases(*names)
            shutil.rmtree(work, ignore_errors=True)
    ru_self = resource.getrusage(resource.RUSAGE_SELF)
    ru_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    report["ru_maxrss_mb"] = {"self": round(ru_self.ru_maxrss / 1024), "largest_child": round(ru_children.ru_maxrss / 1024)}
    report["ratios"] = ratios(report)
    report["finished_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


def floors(copy_dsn: str, wh_dsn: str, landing: Path, target: Path, state: Path, sampler: MemorySampler,
           workers: int = 1) -> dict:
    catalogue = load_catalogue()
    csv_files = []
    for d in catalogue.by_mode("file"):
        if (d.format or "csv") == "csv":
            for folder in delivery_folders(landing, d):
                csv_files += csv_files_of(folder, d)
    sampler.mark()
    rows, seconds = psql_copy(copy_dsn, csv_files, state / "copy")
    copy = {"files": len(csv_files), "rows": rows, "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds) if seconds else None, "memory_mb": sampler.peak()}
    print(f"  floor psql \\copy      {seconds:>8.1f} s  rows {rows:>10}  ({copy['rows_per_s']:,} rows/s)", flush=True)
    if workers > 1:  # like for like with the parallel ingest: as many psql sessions side by side
        _, seconds = psql_copy(copy_dsn, csv_files, state / "copy", streams=workers)
        copy["parallel"] = {"streams": workers, "seconds": round(seconds, 2),
                            "rows_per_s": round(rows / seconds) if seconds else None}
        print(f"  floor psql \\copy x{workers}   {seconds:>8.1f} s  rows {rows:>10}  "
              f"({copy['parallel']['rows_per_s']:,} rows/s)", flush=True)
    shutil.copytree(target, state / "target-initial", dirs_exist_ok=True)  # the initial build's compiled SQL
    sampler.mark()
    hand = hand_sql_floor(wh_dsn, state / "target-initial")
    hand["memory_mb"] = sampler.peak()
    hand["seconds"] = round(hand["seconds"], 2)
    print(f"  floor hand SQL        {hand['seconds']:>8.1f} s  rows {hand['rows']:>10}  ({hand['models']} models)",
          flush=True)
    return {"copy": copy, "hand_sql": hand, "seconds": round(copy["seconds"] + hand["seconds"], 2)}


def ratios(report: dict) -> dict:
    out: dict = {}
    days = report.get("days") or []
    if not days:
        return out
    initial = days[0]
    if initial["kind"] != "initial":  # a --resume run: its initial day is in the kept run's JSON
        return {"delta_seconds": [d["seconds"] for d in days], "meets": {}}
    floor = report.get("floor")
    st = {s["stage"]: s for s in initial["stages"]}
    if floor:
        out["initial_vs_floor"] = round(initial["seconds"] / floor["seconds"], 2)
        csv = st["ingest_files"].get("by_format", {}).get("csv")
        if csv and csv.get("rows_per_s") and floor["copy"].get("rows_per_s"):
            out["file_csv_ingest_vs_copy_rate"] = round(csv["rows_per_s"] / floor["copy"]["rows_per_s"], 3)
            if floor["copy"].get("parallel", {}).get("rows_per_s"):  # both with as many streams
                out["file_csv_ingest_vs_parallel_copy_rate"] = round(
                    csv["rows_per_s"] / floor["copy"]["parallel"]["rows_per_s"], 3)
        ingest_rows = sum(st[k].get("rows", 0) for k in ("ingest_files", "ingest_api", "ingest_db"))
        ingest_s = sum(st[k]["seconds"] for k in ("ingest_files", "ingest_api", "ingest_db"))
        if ingest_s and floor["copy"].get("rows_per_s"):
            out["all_ingest_vs_copy_rate"] = round(ingest_rows / ingest_s / floor["copy"]["rows_per_s"], 3)
        out["dbt_vs_hand_sql"] = round(st["dbt_build"]["seconds"] / floor["hand_sql"]["seconds"], 2) \
            if floor["hand_sql"]["seconds"] else None
    out["delta_vs_initial"] = [round(d["seconds"] / initial["seconds"], 3) for d in days[1:]]
    peak = report.get("peak_memory_mb") or {}
    out["peak_memory_mb"] = peak.get("total")
    out["meets"] = {
        "initial<=2x floor": out.get("initial_vs_floor") is not None
        and out["initial_vs_floor"] <= TARGETS["initial_vs_floor_max"],
        "ingest>=0.7x copy": out.get("file_csv_ingest_vs_copy_rate") is not None
        and out["file_csv_ingest_vs_copy_rate"] >= TARGETS["ingest_vs_copy_min"],
        "delta<=10% initial": bool(out["delta_vs_initial"])
        and all(r <= TARGETS["delta_vs_initial_max"] for r in out["delta_vs_initial"]),
        "peak<4GB": peak.get("total") is not None and peak["total"] < TARGETS["peak_memory_mb_max"],
    }
    return out


def _write(report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


def print_report(report: dict) -> None:
    print(f"\n==== {report['size']}: {report['rig']['persons']:,} persons, {report['rig']['records']:,} records; "
          f"rig {'cached' if report['rig']['cached'] else 'generated in {} s (peak {} MB)'.format(report['rig']['seconds'], report['rig']['peak_rss_mb'])}")
    names = [s["stage"] for s in report["days"][0]["stages"]]
    head = f"{'stage':<20}" + "".join(f"{d['kind']:>22}" for d in report["days"])
    print(head)
    for i, name in enumerate(names):
        cells = []
        for d in report["days"]:
            s = d["stages"][i]
            rate = f" {s['rows_per_s']:>7,}/s" if s.get("rows_per_s") else ""
            cells.append(f"{s['seconds']:>9.1f}s{rate:>12}")
        print(f"{name:<20}" + "".join(f"{c:>22}" for c in cells))
    print(f"{'day total':<20}" + "".join(f"{d['seconds']:>21.1f}s" for d in report["days"]))
    print(f"{'db size MB':<20}" + "".join(f"{d['db_size_mb']:>22,}" for d in report["days"]))
    print(f"{'peak py MB':<20}" + "".join(f"{d['peak_memory_mb']['py']:>22,.0f}" for d in report["days"]))
    print(f"{'peak pg MB':<20}" + "".join(f"{d['peak_memory_mb']['pg']:>22,.0f}" for d in report["days"]))
    for d in report["days"]:
        print(f"\n{d['kind']} {d['business_date']}: {'stage':<18} {'wall s':>8} {'rows':>11} {'rows/s':>9} "
              f"{'cpu py s':>9} {'cpu pg s':>9} {'peak py MB':>10} {'peak pg MB':>10}  load at start")
        for s in d["stages"]:
            cpu = s.get("cpu_s") or {}
            print(f"{'':<{len(d['kind']) + 13}}{s['stage']:<18} {s['seconds']:>8.1f} {s.get('rows') or '':>11} "
                  f"{s.get('rows_per_s') or '':>9} {cpu.get('py', ''):>9} {cpu.get('pg', ''):>9} "
                  f"{s['memory_mb']['py']:>10,.0f} {s['memory_mb']['pg']:>10,.0f}  {s.get('load', '')}")
    f = report.get("floor")
    if f:
        print(f"floor: \\copy {f['copy']['seconds']:.1f} s ({f['copy']['rows']:,} rows, {f['copy']['rows_per_s']:,} rows/s)"
              f" + hand SQL {f['hand_sql']['seconds']:.1f} s = {f['seconds']:.1f} s")
    if report.get("dag_test"):
        print(f"dag.test: {report['dag_test']}")
    if report.get("csv_kernel_load"):
        print(f"a new task process before its first CSV file of 4 MB or more: {report['csv_kernel_load']}")
    r = report["ratios"]
    print(f"ratios: initial/floor {r.get('initial_vs_floor')} (target <= 2); file csv ingest/\\copy rate "
          f"{r.get('file_csv_ingest_vs_copy_rate')} (>= 0.7; vs \\copy with as many streams "
          f"{r.get('file_csv_ingest_vs_parallel_copy_rate')}); all ingest/\\copy rate {r.get('all_ingest_vs_copy_rate')}; "
          f"dbt/hand SQL {r.get('dbt_vs_hand_sql')}; deltas/initial {r.get('delta_vs_initial')} (<= 0.10); "
          f"peak memory {r.get('peak_memory_mb')} MB (< 4096)")
    print("meets: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in r["meets"].items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="city", choices=["tiny", "small", "city"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--first-date", default="2026-11-27")
    parser.add_argument("--deltas", type=int, default=3, help="daily deltas after the initial day")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="ingest tasks run side by side, as the executor's slots (default: CPUs); "
                             "the \\copy floor is also measured with as many streams")
    parser.add_argument("--rules", default=None, help="rules the rig's reference evaluates (default: rig's)")
    parser.add_argument("--dag-overhead", action="store_true",
                        help="also run the initial day through dag.test once and report the difference")
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the floor (\\copy and hand SQL): for tuning runs; the ratios need it")
    parser.add_argument("--resume", action="store_true",
                        help="continue a run kept with --keep: the deltas after its last business day, up to "
                             "--deltas in all (same --size, --seed, --first-date)")
    parser.add_argument("--keep", action="store_true", help="keep the h8b_<size>_* databases and published files")
    parser.add_argument("--out", type=Path, default=None, help="JSON file (default .local/bench/<size>-<stamp>.json)")
    parser.add_argument("--report", type=Path, metavar="JSON",
                        help="only print the tables and ratios of an earlier run's JSON (a partial one too)")
    args = parser.parse_args()
    if args.report:
        report = json.loads(args.report.read_text(encoding="utf-8"))
        if not report.get("peak_memory_mb") and report.get("days"):
            report["peak_memory_mb"] = {k: max(d["peak_memory_mb"][k] for d in report["days"])
                                        for k in ("py", "pg", "total")}
        report["ratios"] = ratios(report)
        print_report(report)
        return 0
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    args.out = args.out or ROOT / ".local" / "bench" / f"{args.size}-{stamp}.json"
    report = bench(args)
    _write(report, args.out)
    print_report(report)
    print(f"\nfigures: {args.out}")
    return 0


if __name__ == "__main__":
    import signal

    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    # SIGTERM (and SIGINT, even when started in the background) end the run through its
    # cleanup: servers stopped, databases dropped unless --keep; the JSON holds the days done.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    raise SystemExit(main())
