"""``python -m rig publish``: make the rig's world visible up to a business day.

Copies each day's landing deliveries (data files first, ``manifest.json`` last, so the
warehouse never sees a half-copied delivery) and API files, and applies the day's mz CSVs to
the source database by key. Days after ``through`` stay invisible: the warehouse loads every
complete delivery it finds, whatever its date. Publishing again is harmless: equal deliveries
are skipped, an older sequence never overwrites a newer one, applied days are recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from rig import catalogue as cat

PG_TYPES = {"text": "text", "date": "date", "month": "date", "int": "integer", "numeric": "numeric(14,2)",
            "timestamptz": "timestamptz", "bool": "boolean"}
READER_ROLE = "mz_reader"
READER_PASSWORD = "mz_reader"


@dataclass
class PublishReport:
    days: list[str] = field(default_factory=list)
    deliveries_copied: int = 0
    deliveries_skipped: int = 0
    api_files_copied: int = 0
    mz_days_applied: list[str] = field(default_factory=list)
    mz_rows: dict[str, int] = field(default_factory=dict)


def _atomic_copy(src: Path, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.part")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def publish_delivery(src: Path, dest: Path) -> bool:
    """Copy one delivery folder; False when the destination already holds it (or a newer one)."""
    manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    held_path = dest / "manifest.json"
    if held_path.exists():
        held = json.loads(held_path.read_text(encoding="utf-8"))
        if held["sequence"] > manifest["sequence"]:
            return False
        if held == manifest and all((dest / f["name"]).exists() for f in manifest["files"]):
            return False
        held_path.unlink()  # a redelivery: take the old one out of sight first
    dest.mkdir(parents=True, exist_ok=True)
    names = {f["name"] for f in manifest["files"]}
    for old in dest.iterdir():
        if old.is_file() and old.name not in names:
            old.unlink()
    for name in sorted(names):
        _atomic_copy(src / name, dest / name)
    _atomic_copy(src / "manifest.json", held_path)
    return True


def publish_api(src_root: Path, dest_root: Path) -> int:
    copied = 0
    for src in sorted(src_root.glob("*/*.json")):
        dest = dest_root / src.parent.name / src.name
        if dest.exists() and dest.read_bytes() == src.read_bytes():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        _atomic_copy(src, dest)
        copied += 1
    return copied


# ---- the source database -------------------------------------------------------------------
def ensure_source_db(conn: psycopg.Connection, catalogue: cat.Catalogue, reader: str = READER_ROLE,
                     password: str = READER_PASSWORD) -> None:
    """Schema mz with one table per db feed, bookkeeping in rig_meta, and a read-only login."""
    conn.execute("create schema if not exists mz")
    for d in catalogue.deliveries:
        if d.mode != "db":
            continue
        feed = catalogue.feed(d.feed)
        cols = [sql.SQL("{} {}{}").format(sql.Identifier(c), sql.SQL(PG_TYPES[t]),
                                           sql.SQL(" not null" if c == "updated_at" else ""))
                for c, t in feed.columns.items()]
        table = sql.Identifier("mz", catalogue.table_of(d.feed))
        conn.execute(sql.SQL("create table if not exists {} ({}, primary key ({}))").format(
            table, sql.SQL(", ").join(cols), sql.SQL(", ").join(map(sql.Identifier, feed.key))))
        # The warehouse pulls by updated_at watermark.
        conn.execute(sql.SQL("create index if not exists {} on {} (updated_at)").format(
            sql.Identifier(f"{catalogue.table_of(d.feed)}_updated_at"), table))
    conn.execute("create schema if not exists rig_meta")
    conn.execute("create table if not exists rig_meta.applied_day (business_date date primary key, "
                 "rig_id text not null, applied_at timestamptz not null default now())")
    # Roles are cluster-wide: several rigs (or test runs) may race to create the same one.
    conn.execute(sql.SQL(
        "do $$ begin create role {} login password {}; "
        "exception when duplicate_object or unique_violation then null; end $$").format(
        sql.Identifier(reader), sql.Literal(password)))
    conn.execute(sql.SQL("alter role {} set default_transaction_read_only = on").format(sql.Identifier(reader)))
    dbname = conn.execute("select current_database()").fetchone()[0]  # type: ignore[index]
    conn.execute(sql.SQL("revoke create on schema public from public"))
    conn.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(dbname), sql.Identifier(reader)))
    conn.execute(sql.SQL("grant usage on schema mz to {}").format(sql.Identifier(reader)))
    conn.execute(sql.SQL("grant select on all tables in schema mz to {}").format(sql.Identifier(reader)))
    conn.execute(sql.SQL("alter default privileges in schema mz grant select on tables to {}").format(
        sql.Identifier(reader)))


def apply_day(conn: psycopg.Connection, catalogue: cat.Catalogue, day_dir: Path) -> dict[str, int]:
    """Upsert one day's CSVs by key, in one transaction; a row never goes back in time."""
    rows: dict[str, int] = {}
    for d in catalogue.deliveries:
        path = day_dir / "mz" / f"{catalogue.table_of(d.feed)}.csv" if d.mode == "db" else None
        if path is None or not path.exists():
            continue
        feed, table = catalogue.feed(d.feed), catalogue.table_of(d.feed)
        with path.open(encoding="utf-8") as fh:
            header = fh.readline().strip().split(",")
        if set(header) != set(feed.columns):
            raise ValueError(f"{path}: columns {header} are not those of {d.feed}")
        target = sql.Identifier("mz", table)
        cols = sql.SQL(", ").join(map(sql.Identifier, header))
        conn.execute(sql.SQL("create temp table stage (like {}) on commit drop").format(target))
        with conn.cursor().copy(sql.SQL("copy stage ({}) from stdin with (format csv, header true)").format(cols)) as cp, \
                path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                cp.write(chunk)
        updates = sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c))
                                     for c in header if c not in feed.key)
        cur = conn.execute(sql.SQL(
            "insert into {t} ({c}) select {c} from stage on conflict ({k}) do update set {u} "
            "where {t}.updated_at <= excluded.updated_at").format(
            t=target, c=cols, k=sql.SQL(", ").join(map(sql.Identifier, feed.key)), u=updates))
        rows[table] = cur.rowcount
        conn.execute("drop table stage")
    return rows


def _rig_id(rig_dir: Path) -> str:
    return hashlib.sha256((rig_dir / "rig.json").read_bytes()).hexdigest()[:16]


def publish(rig_dir: Path | str, through: date, mz_dsn: str | None = None, *,
            landing_dir: Path | str | None = None, api_dir: Path | str | None = None,
            reader_role: str = READER_ROLE, reader_password: str = READER_PASSWORD) -> PublishReport:
    rig = Path(rig_dir)
    landing = Path(landing_dir) if landing_dir else rig / "landing"
    api = Path(api_dir) if api_dir else rig / "api"
    catalogue = cat.load()
    report = PublishReport()
    days = sorted(p for p in (rig / "days").iterdir() if p.is_dir() and p.name <= f"{through:%Y%m%d}")
    landing.mkdir(parents=True, exist_ok=True)
    api.mkdir(parents=True, exist_ok=True)
    for day in days:
        report.days.append(day.name)
        for manifest in sorted(day.glob("landing/*/*/*/manifest.json")):
            src = manifest.parent
            if publish_delivery(src, landing / src.relative_to(day / "landing")):
                report.deliveries_copied += 1
            else:
                report.deliveries_skipped += 1
        for folder in sorted(day.glob("landing/*/*/*/")):
            dest = landing / folder.relative_to(day / "landing")
            if folder.is_dir() and not (folder / "manifest.json").exists() and not (dest / "manifest.json").exists():
                # an upload still in progress (no manifest yet): its files are visible, to be left alone
                dest.mkdir(parents=True, exist_ok=True)
                for f in sorted(folder.iterdir()):
                    if f.is_file():
                        _atomic_copy(f, dest / f.name)
        report.api_files_copied += publish_api(day / "api", api)
    if mz_dsn:
        rig_id = _rig_id(rig)
        with psycopg.connect(mz_dsn, autocommit=False) as conn:
            ensure_source_db(conn, catalogue, reader_role, reader_password)
            conn.commit()
            held = dict(conn.execute("select business_date, rig_id from rig_meta.applied_day").fetchall())
            if any(v != rig_id for v in held.values()):
                raise RuntimeError("this database holds days of another rig; publish into a fresh database")
            for day in days:
                business_date = date(int(day.name[:4]), int(day.name[4:6]), int(day.name[6:]))
                if business_date in held:
                    continue
                for table, n in apply_day(conn, catalogue, day).items():
                    report.mz_rows[table] = report.mz_rows.get(table, 0) + n
                conn.execute("insert into rig_meta.applied_day (business_date, rig_id) values (%s, %s)",
                             (business_date, rig_id))
                conn.commit()
                report.mz_days_applied.append(day.name)
    return report
