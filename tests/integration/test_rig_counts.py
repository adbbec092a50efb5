"""Counts proof on the tiny rig: every row of every accepted delivery is in raw exactly once,
every bad row is in quarantine, superseded deliveries leave no raw rows; rerunning the days
changes nothing, and a backfill of the range into a fresh warehouse equals the days run one
by one.

Whatever feeds the rig delivers are covered: the test walks the catalogue and the rig's
own manifests / API files / business-database tables, not a fixed list of feeds.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from psycopg import sql

from ingest.bizdb import connect_source, pull_table
from ingest.catalogue import load_catalogue
from ingest.db import connect
from ingest.files import load_file_deliveries
from ingest.lateness import SHANGHAI, record_overdue
from ingest.partner_api import PartnerApiClient, load_api_deliveries
from ingest.warehouse import ensure_schema
from rig.generate import generate
from rig.partner_api import PartnerApiServer
from rig.publish import READER_PASSWORD, READER_ROLE, publish

CAT = load_catalogue()
FIRST = date(2026, 11, 27)
DAYS = 3
TOKEN = "rig-counts-token"
# Fixed "now" far after every cut-off: late records must not depend on when the test runs.
NOW = datetime(2030, 1, 1, tzinfo=SHANGHAI)


@contextmanager
def tiny_rig(root: Path, cluster, prefix: str, days: int, databases: tuple[str, ...] = ("src", "wh")):  # type: ignore[no-untyped-def]
    """The tiny rig's `days` from FIRST generated into root/rig, fresh databases
    <prefix>_<name>_<hex> (`src` is the business database the rig publishes to), the partner API
    serving root/api; the server is stopped and the databases dropped afterwards."""
    result = generate(root / "rig", "tiny", 42, FIRST, days)
    names = {k: f"{prefix}_{k}_{uuid.uuid4().hex[:8]}" for k in databases}
    dsns = {k: cluster.create_database(n) for k, n in names.items()}
    landing, api = root / "landing", root / "api"
    api.mkdir(parents=True)
    server = PartnerApiServer(api, TOKEN)
    server.start()
    try:
        yield SimpleNamespace(
            dir=root / "rig", days=result.days, dsns=dsns, landing=landing, api=api, server=server,
            reader=f"postgresql://{READER_ROLE}:{READER_PASSWORD}@127.0.0.1:{cluster.port}/{names['src']}")
    finally:
        server.stop()
        cluster.drop_databases(*names.values())


@pytest.fixture(scope="module")
def rig(tmp_path_factory, cluster):
    root = Path(tmp_path_factory.mktemp("rig_counts"))
    with tiny_rig(root, cluster, "rc", DAYS, ("src", "daily", "backfill")) as world:
        yield {"dir": world.dir, "days": world.days, "landing": world.landing, "api": world.api,
               "server": world.server, "src_admin": world.dsns["src"], "reader": world.reader,
               "daily": world.dsns["daily"], "backfill": world.dsns["backfill"]}


def run_day(conn, rig, day: date) -> None:
    """Every catalogue delivery for one business date, as the DAG's tasks would run it."""
    client = PartnerApiClient(rig["server"].base_url, TOKEN, sleep=lambda s: None)
    with connect_source(rig["reader"]) as source:
        for d in CAT.deliveries:
            if d.mode == "file":
                load_file_deliveries(conn, rig["landing"], d)
                record_overdue(conn, d, FIRST, day, landing=rig["landing"], now=NOW)
            elif d.mode == "api":
                load_api_deliveries(conn, client, d, FIRST, day)
                record_overdue(conn, d, FIRST, day, now=NOW)
            else:
                pull_table(conn, source, d, day)


def snapshot(conn, *, stable: bool = False) -> dict[str, Counter]:
    """Every row of every meta and raw table. stable=True leaves out what differs between two
    warehouses fed the same deliveries: serial ids, load times, and the ids pointing at them."""
    skip = {"delivery_id", "quarantine_id", "superseded_by", "_delivery_id", "seen_at", "loaded_at",
            "_loaded_at", "updated_at"} if stable else set()
    out = {}
    tables = conn.execute("""select table_schema, table_name from information_schema.tables
                             where table_schema in ('meta', 'raw') and table_type = 'BASE TABLE'""").fetchall()
    for schema, table in tables:
        cols = [c for (c,) in conn.execute(
            """select column_name from information_schema.columns where table_schema = %s and table_name = %s
               order by column_name""", (schema, table)).fetchall()
            if not (c in skip and not (schema == "raw" and c == "updated_at"))]
        rows = conn.execute(sql.SQL("select {} from {}.{}").format(
            sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in cols),
            sql.Identifier(schema), sql.Identifier(table))).fetchall()
        out[f"{schema}.{table}"] = Counter(rows)
    return out


def manifests(rig_dir: Path) -> dict[tuple, int]:
    """(unit, feed, business date, sequence) -> data rows, from every manifest the rig published."""
    out = {}
    for path in (rig_dir / "days").glob("*/landing/*/*/*/manifest.json"):
        m = json.loads(path.read_text(encoding="utf-8"))
        out[(m["unit"], m["feed"], date.fromisoformat(m["business_date"]), int(m["sequence"]))] = sum(
            int(f["rows"]) for f in m["files"])
    return out


def per_delivery(conn, feed: str, delivery_id: int) -> tuple[int, int]:
    raw = conn.execute(sql.SQL("select count(*) from raw.{} where _delivery_id = %s").format(sql.Identifier(feed)),
                       (delivery_id,)).fetchone()[0]
    quarantined = conn.execute("select count(*) from meta.quarantine where delivery_id = %s",
                               (delivery_id,)).fetchone()[0]
    return raw, quarantined


@pytest.fixture(scope="module")
def daily(rig):
    """Publish and run the days one by one."""
    with connect(rig["daily"]) as conn:
        ensure_schema(conn)
        for day in rig["days"]:
            publish(rig["dir"], day, rig["src_admin"], landing_dir=rig["landing"], api_dir=rig["api"])
            run_day(conn, rig, day)
        yield conn


def test_every_file_delivery_is_in_raw_or_quarantine_exactly_once(daily, rig):
    published = manifests(rig["dir"])
    assert published, "the rig published no file delivery"
    ledger = {(u, f, d, s): (i, st, n, q) for i, u, f, d, s, st, n, q in daily.execute(
        """select delivery_id, unit, feed, business_date, sequence, status, rows_loaded, rows_quarantined
           from meta.deliveries where mode = 'file' and status not in ('late', 'incomplete')""").fetchall()}
    assert set(ledger) == set(published), "every published delivery is in the ledger, nothing else"
    checked = Counter()
    for key, rows in published.items():
        delivery_id, status, n, q = ledger[key]
        raw, quarantined = per_delivery(daily, key[1], delivery_id)
        if status == "loaded":
            assert (raw + quarantined, raw, quarantined) == (rows, n, q), key
        elif status == "superseded":
            assert raw == 0 and n + q == rows, key  # replaced whole; the ledger remembers its counts
        else:
            assert raw == 0, key  # rejected or duplicate: nothing of it loads
        checked[status] += 1
    assert checked["loaded"] > 0
    print("file deliveries checked:", dict(checked))


def test_every_api_record_is_in_raw_or_quarantine_exactly_once(daily, rig):
    loaded = daily.execute("""select delivery_id, feed, business_date from meta.deliveries
                              where mode = 'api' and status = 'loaded'""").fetchall()
    published = sorted(rig["api"].glob("*/*.json"))
    assert len(loaded) == len(published) > 0
    for delivery_id, feed, day in loaded:
        records = json.loads((rig["api"] / feed / f"{day.isoformat()}.json").read_text(encoding="utf-8"))
        raw, quarantined = per_delivery(daily, feed, delivery_id)
        assert raw + quarantined == len(records), (feed, day)


def test_no_row_is_in_raw_twice(daily):
    for d in {d.feed.name: d for d in CAT.deliveries if d.mode != "db"}.values():
        total, distinct = daily.execute(sql.SQL(
            "select count(*), count(distinct (_delivery_id, _file, _line)) from raw.{}").format(
            sql.Identifier(d.feed.name))).fetchone()
        assert total == distinct, d.feed.name


def test_every_business_database_row_is_pulled(daily, rig):
    with psycopg.connect(rig["src_admin"]) as src:
        for d in CAT.by_mode("db"):
            cols = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in (*d.feed.key, "updated_at"))
            schema, table = d.table.split(".")
            source = set(src.execute(sql.SQL("select {} from {}.{}").format(
                cols, sql.Identifier(schema), sql.Identifier(table))).fetchall())
            raw = daily.execute(sql.SQL("select {} from raw.{}").format(cols, sql.Identifier(d.feed.name))).fetchall()
            assert len(raw) == len(set(raw)), d.feed.name
            assert source <= set(raw), f"{d.feed.name}: {len(source - set(raw))} source rows not pulled"
            loaded = daily.execute("select coalesce(sum(rows_loaded), 0) from meta.deliveries where feed = %s",
                                   (d.feed.name,)).fetchone()[0]
            assert loaded == len(raw), d.feed.name


def test_rerunning_every_day_changes_nothing(daily, rig):
    before = snapshot(daily)
    for day in rig["days"]:
        run_day(daily, rig, day)
    assert snapshot(daily) == before


def test_backfill_of_the_range_equals_the_days_run_one_by_one(daily, rig):
    with connect(rig["backfill"]) as backfill:
        ensure_schema(backfill)
        for day in rig["days"]:  # everything is published already: a backfill after the fact
            run_day(backfill, rig, day)
        a, b = snapshot(daily, stable=True), snapshot(backfill, stable=True)
    db_feeds = {f"raw.{d.feed.name}" for d in CAT.by_mode("db")}
    for table in sorted(set(a) | set(b)):
        if table in db_feeds or table == "meta.deliveries" or table == "meta.watermarks":
            continue
        assert a[table] == b[table], f"{table} differs between day-by-day and backfill"
    # The ledger: the backfill never saw the deliveries the days saw and later superseded.
    ledger_a = Counter(r for r in a["meta.deliveries"] if "superseded" not in r)
    ledger_db = Counter(r for r in ledger_a if "db" in r)
    assert ledger_a - ledger_db == Counter(r for r in b["meta.deliveries"] if "db" not in r)
    # The business database holds each row's latest version only: a backfill pulls those, the
    # days also pulled the versions in between. The latest versions are equal.
    for table in db_feeds:
        assert b[table] <= a[table], table
    for d in CAT.by_mode("db"):
        latest = sql.SQL("""select distinct on ({k}) * from raw.{t} order by {k}, updated_at desc""").format(
            k=sql.SQL(", ").join(map(sql.Identifier, d.feed.key)), t=sql.Identifier(d.feed.name))
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in (*d.feed.column_names, "_business_date"))
        query = sql.SQL("select {} from ({}) v").format(cols, latest)
        with connect(rig["backfill"]) as backfill:
            assert Counter(daily.execute(query).fetchall()) == Counter(backfill.execute(query).fetchall()), d.feed.name
