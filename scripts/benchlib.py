"""Shared pieces of the benchmarks in scripts/ (not a test, not used by the pipeline).

- ``csv_files_of`` / ``psql_copy``: the ingest floor, raw ``psql \\copy`` of delivered CSV files
  into text-typed tables (no parsing, no checks, no quarantine).
- ``hand_sql_floor``: the transform floor, the compiled SQL of dbt's models run by hand as
  CREATE TABLE AS / CREATE VIEW in dependency order (no tests, no contracts, no dbt).
- ``MemorySampler``: a thread sampling /proc for the high-water memory of this process and its
  children, and of the PostgreSQL backends serving the benchmark's databases.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import psycopg
from psycopg import sql

from ingest.localpg import LocalCluster, _pg_bin

PSQL_ENCODING = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "gbk": "GB18030"}




# ---- the CSV direct path's compiled loops ---------------------------------------------------

def load_direct_kernels() -> None:
    """Load the direct path's compiled loops in this process (numba's import and cache), as a
    warm worker has them: one line of ga_death through the block check."""
    from datetime import date

    from ingest.catalogue import load_catalogue
    from ingest.fastcopy_direct import check_block, meta_fields, plan

    d = load_catalogue().delivery("GA-HP", "ga_death")
    sample = plan(d, list(d.feed.column_names), "utf-8")
    assert sample is not None
    check_block(sample, b"210105194912310001,x,20200101,20200201,y\n", 2, meta_fields(1, date(2000, 1, 1), 1, "warm.csv"))


# ---- ingest floor: psql \copy ---------------------------------------------------------------

def csv_files_of(folder: Path, delivery) -> list[tuple[Path, str, str, int]]:  # type: ignore[no-untyped-def]
    """(path, encoding, delimiter, rows) of each data file of a CSV delivery folder, per its manifest."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [(folder / f["name"], delivery.encoding or "utf-8", delivery.delimiter, int(f["rows"]))
            for f in manifest["files"]]


def psql_copy(dsn: str, csv_files: list[tuple[Path, str, str, int]], work: Path,
              streams: int = 1) -> tuple[int, float]:
    """``psql \\copy`` every file into its own text-typed table: one psql session, or ``streams``
    sessions side by side (files dealt largest first to the least loaded). Returns (rows,
    seconds); only the psql runs are timed (tables are created before)."""
    scripts: list[list[str]] = [[] for _ in range(streams)]
    load = [0] * streams
    suffix = f"s{streams}_"
    with psycopg.connect(dsn, autocommit=True) as conn:
        for i, (path, encoding, delimiter, rows) in sorted(enumerate(csv_files), key=lambda f: -f[1][3]):
            with open(path, encoding="gb18030" if encoding == "gbk" else "utf-8-sig") as fh:
                width = len(fh.readline().split(delimiter))
            table = f"{suffix}f{i}"
            conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(table)))
            conn.execute(sql.SQL("create table {} ({})").format(
                sql.Identifier(table), sql.SQL(", ").join(sql.SQL(f"c{j} text") for j in range(width))))
            opts = f"format csv, header true, delimiter '{delimiter}', encoding '{PSQL_ENCODING[encoding]}'"
            k = load.index(min(load))
            load[k] += rows
            scripts[k].append(f"\\copy {table} from '{path}' with ({opts})")
    work.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, script in enumerate(scripts):
        paths.append(work / f"copy-{streams}-{k}.sql")
        paths[-1].write_text("\n".join(script) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    procs = [subprocess.Popen([_pg_bin("psql"), dsn, "-q", "-v", "ON_ERROR_STOP=1", "-f", str(p)],
                              stdout=subprocess.DEVNULL) for p in paths]
    codes = [p.wait() for p in procs]
    seconds = time.perf_counter() - t0
    if any(codes):
        raise RuntimeError(f"psql \\copy failed: exit codes {codes}")
    return sum(r for *_, r in csv_files), seconds


# ---- transform floor: dbt's compiled SQL by hand ---------------------------------------------

def _models_in_order(manifest: dict) -> list[dict]:
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(uid: str) -> None:
        if state.get(uid) == 2:
            return
        state[uid] = 1
        for dep in models[uid]["depends_on"]["nodes"]:
            if dep in models and state.get(dep) != 1:
                visit(dep)
        state[uid] = 2
        order.append(uid)

    for uid in sorted(models):
        visit(uid)
    return [models[u] for u in order]


def hand_sql_floor(dsn: str, target: Path, prefix: str = "h8b_floor_", threads: int = 2) -> dict:
    """Run the models' compiled SQL (``target/compiled`` of the last build) as CREATE TABLE AS
    (tables, incremental models: their first-build select) or CREATE VIEW (views), in
    dependency order on ``threads`` connections (dbt's profile uses 2), into shadow schemas
    ``<prefix><schema>``, each table analyzed as dbt's post-hook does; no tests, no contracts,
    no dbt. The shadow schemas are dropped after. Returns seconds in total and per model."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    project = manifest["metadata"].get("project_name") or "minzheng_sentinel"
    nodes = [n for n in _models_in_order(manifest) if n["config"]["materialized"] != "ephemeral"]
    renames = {n["relation_name"]: f'"{n["database"]}"."{prefix}{n["schema"]}"."{n["alias"]}"' for n in nodes}
    pattern = re.compile("|".join(re.escape(k) for k in sorted(renames, key=len, reverse=True)))
    schemas = sorted({f"{prefix}{n['schema']}" for n in nodes})
    statements: dict[str, list[str]] = {}
    for n in nodes:
        compiled = target / "compiled" / project / n["original_file_path"]
        code = compiled.read_text(encoding="utf-8") if compiled.exists() else n.get("compiled_code")
        if not code:
            raise RuntimeError(f"no compiled SQL for {n['unique_id']}: run dbt build first")
        body = pattern.sub(lambda m: renames[m.group(0)], code).strip().rstrip(";")
        name = renames[n["relation_name"]]
        statements[n["unique_id"]] = ([f"create view {name} as (\n{body}\n)"]
                                      if n["config"]["materialized"] == "view"
                                      else [f"create table {name} as (\n{body}\n)", f"analyze {name}"])
    ids = {n["unique_id"] for n in nodes}
    deps = {n["unique_id"]: {d for d in n["depends_on"]["nodes"] if d in ids} for n in nodes}
    names = {n["unique_id"]: n["name"] for n in nodes}
    per_model: dict[str, float] = {}
    rows = 0
    conns = [psycopg.connect(dsn, autocommit=True) for _ in range(max(1, threads))]
    free = list(conns)

    def run(uid: str, conn: psycopg.Connection) -> tuple[str, psycopg.Connection, int, float]:
        t0 = time.perf_counter()
        n_rows = 0
        for stmt in statements[uid]:
            cur = conn.execute(stmt)
            if stmt.startswith("create table"):
                n_rows = max(cur.rowcount, 0)
        return uid, conn, n_rows, time.perf_counter() - t0

    try:
        for s in schemas:
            conns[0].execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(s)))
            conns[0].execute(sql.SQL("create schema {}").format(sql.Identifier(s)))
        started = time.perf_counter()
        done: set[str] = set()
        pending = [n["unique_id"] for n in nodes]
        with ThreadPoolExecutor(max_workers=len(conns)) as pool:
            running = set()
            while pending or running:
                for uid in [u for u in pending if deps[u] <= done]:
                    if not free:
                        break
                    pending.remove(uid)
                    running.add(pool.submit(run, uid, free.pop()))
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for f in finished:
                    uid, conn, n_rows, secs = f.result()
                    free.append(conn)
                    done.add(uid)
                    rows += n_rows
                    per_model[names[uid]] = secs
        seconds = time.perf_counter() - started
        for s in schemas:
            conns[0].execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(s)))
    finally:
        for c in conns:
            c.close()
    slowest = sorted(per_model.items(), key=lambda kv: -kv[1])
    return {"seconds": seconds, "models": len(per_model), "rows": rows, "threads": len(conns),
            "slowest": [(k, round(v, 2)) for k, v in slowest[:8]]}


# ---- memory ----------------------------------------------------------------------------------

def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def _pss_kb(pid: int) -> int:
    """Proportional set size (shared pages divided among their users), else RSS."""
    text = _read(f"/proc/{pid}/smaps_rollup")
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _rss_kb(pid: int) -> int:
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_ticks(pid: int) -> int:
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _parents() -> dict[int, int]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _read(f"/proc/{entry}/stat")
            if stat:
                out[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


_AUX = ("checkpointer", "background writer", "walwriter", "autovacuum launcher",
        "logical replication launcher", "startup")


class MemorySampler:
    """High-water marks, sampled every ``interval`` s from /proc:

    - ``py``: RSS summed over this process and its descendants (dbt and Soda run in-process,
      the rig's generator and psql are children);
    - ``pg``: PSS summed over the PostgreSQL processes serving databases whose name contains
      ``db_tag`` (backends, their parallel workers, autovacuum workers) plus the shared auxiliary
      processes and the postmaster (PSS, so shared_buffers pages are counted once, not per backend);
    - ``total``: both at the same instant.

    ``mark()`` starts a new stage window; ``peak()`` gives that window's high-water marks (MB).
    """

    def __init__(self, cluster: LocalCluster, db_tag: str, interval: float = 0.25) -> None:
        self.pid = os.getpid()
        self.db_tag = db_tag
        self.interval = interval
        pidfile = cluster.data / "postmaster.pid"
        self.postmaster = int(_read(str(pidfile)).split("\n", 1)[0] or 0)
        self._lock = threading.Lock()
        self._stage = {"py": 0, "pg": 0, "total": 0}
        self.overall = {"py": 0, "pg": 0, "total": 0}
        self._ticks: dict[int, int] = {}  # backend pid -> CPU ticks last seen
        self._ticks_base: dict[int, int] = {}
        self._cpu_base = self._own_cpu()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mem-sampler", daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> dict[str, int]:
        parents = _parents()
        children: dict[int, list[int]] = {}
        for pid, ppid in parents.items():
            children.setdefault(ppid, []).append(pid)
        tree, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            tree.append(p)
            todo.extend(children.get(p, []))
        py = sum(_rss_kb(p) for p in tree)
        pg = 0
        if self.postmaster:
            mine: set[int] = set()
            backends = children.get(self.postmaster, [])
            titles = {p: _read(f"/proc/{p}/cmdline").replace("\0", " ") for p in backends}
            for p, title in titles.items():
                if self.db_tag in title or any(a in title for a in _AUX):
                    mine.add(p)
            for p, title in titles.items():
                m = re.search(r"parallel worker for PID (\d+)", title)
                if m and int(m.group(1)) in mine:
                    mine.add(p)
            pg = _pss_kb(self.postmaster) + sum(_pss_kb(p) for p in mine)
            with self._lock:
                for p in mine:
                    if not any(a in titles[p] for a in _AUX):
                        self._ticks[p] = max(self._ticks.get(p, 0), _cpu_ticks(p))
        return {"py": py, "pg": pg, "total": py + pg}

    def _run(self) -> None:
        while not self._stop.is_set():
            s = self.sample()
            with self._lock:
                for k, v in s.items():
                    self._stage[k] = max(self._stage[k], v)
                    self.overall[k] = max(self.overall[k], v)
            self._stop.wait(self.interval)

    @staticmethod
    def _own_cpu() -> float:
        import resource

        a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

    def mark(self) -> None:
        s = self.sample()
        with self._lock:
            self._stage = dict(s)
            self._ticks_base = dict(self._ticks)
            self._cpu_base = self._own_cpu()

    def cpu(self) -> dict[str, float]:
        """CPU seconds since ``mark()``: this process and its reaped children (``py``), and the
        benchmark's PostgreSQL backends and their parallel workers as sampled (``pg``; a
        connection shorter than the sampling interval is missed)."""
        self.sample()
        hz = os.sysconf("SC_CLK_TCK")
        with self._lock:
            pg = sum(t - self._ticks_base.get(p, 0) for p, t in self._ticks.items()) / hz
            return {"py": round(self._own_cpu() - self._cpu_base, 1), "pg": round(pg, 1)}

    def peak(self) -> dict[str, float]:
        s = self.sample()
        with self._lock:
            for k, v in s.items():
                self._stage[k] = max(self._stage[k], v)
                self.overall[k] = max(self.overall[k], v)
            return {k: round(v / 1024, 1) for k, v in self._stage.items()}

    def overall_mb(self) -> dict[str, float]:
        with self._lock:
            return {k: round(v / 1024, 1) for k, v in self.overall.items()}
