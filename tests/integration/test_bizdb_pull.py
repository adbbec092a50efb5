"""Business-database pulls by watermark: reproducible per day, overlap-safe, read-only."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg import sql

from ingest.bizdb import connect_source, pull_table
from ingest.catalogue import load_catalogue

CAT = load_catalogue()
PAYMENT = CAT.delivery("MZ", "mz_payment")
SH = ZoneInfo("Asia/Shanghai")
D1, D2 = date(2026, 11, 28), date(2026, 11, 29)


@pytest.fixture
def source(cluster):
    """A business database as the spec describes it: schema mz, updated_at on every table."""
    import uuid

    name = f"mz_{uuid.uuid4().hex[:10]}"
    dsn = cluster.create_database(name)
    feed = PAYMENT.feed
    cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.pg_type))
                              for c in feed.columns)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("create schema mz")
        conn.execute(sql.SQL("create table mz.payment ({}, primary key (payment_id))").format(cols))
    yield dsn
    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def upsert(dsn: str, payment_id: str, updated_at: datetime, amount: str = "905.00", status: str = "paid"):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            """insert into mz.payment values (%s, 'dibao', 'DB1', '210105194912310023', '2026-11-01',
                   %s, %s, %s, %s)
               on conflict (payment_id) do update set amount = excluded.amount,
                   status = excluded.status, updated_at = excluded.updated_at""",
            (payment_id, amount, updated_at, status, updated_at),
        )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def pull(warehouse, source_dsn, day):
    with connect_source(source_dsn) as src:
        return pull_table(warehouse, src, PAYMENT, day)


def raw(warehouse) -> list[tuple]:
    return warehouse.execute(
        "select payment_id, amount::text, status, _business_date from raw.mz_payment order by payment_id, updated_at"
    ).fetchall()


def test_pull_reads_up_to_the_end_of_the_day_only(warehouse, source):
    upsert(source, "P1", at(D1, 9))
    upsert(source, "P2", at(D2, 9))  # tomorrow's change is not part of D1
    assert pull(warehouse, source, D1).rows_loaded == 1
    assert raw(warehouse) == [("P1", "905.00", "paid", D1)]
    assert pull(warehouse, source, D2).rows_loaded == 1


def test_rerun_and_overlap_change_nothing(warehouse, source):
    upsert(source, "P1", at(D1, 23, 58))
    pull(warehouse, source, D1)
    counts = warehouse.execute("select (select count(*) from raw.mz_payment), (select count(*) from meta.deliveries)").fetchone()
    outcome = pull(warehouse, source, D1)  # re-reads P1 inside the 5-minute overlap
    assert outcome.status == "seen" and outcome.rows_loaded == 0
    assert warehouse.execute("select (select count(*) from raw.mz_payment), (select count(*) from meta.deliveries)").fetchone() == counts


def test_late_commit_inside_the_overlap_is_not_missed(warehouse, source):
    upsert(source, "P1", at(D1, 12))
    pull(warehouse, source, D1)
    # committed after the pull but stamped 2 minutes before the watermark
    upsert(source, "P2", at(D1, 11, 58))
    assert pull(warehouse, source, D2).rows_loaded == 1
    assert [r[0] for r in raw(warehouse)] == ["P1", "P2"]


def test_a_changed_row_keeps_both_versions_and_a_reversal_arrives(warehouse, source):
    upsert(source, "P1", at(D1, 9))
    pull(warehouse, source, D1)
    upsert(source, "P1", at(D2, 9), status="reversed")
    pull(warehouse, source, D2)
    assert [r[2] for r in raw(warehouse)] == ["paid", "reversed"]


def test_the_source_session_is_read_only(source):
    with connect_source(source) as src, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        src.execute("insert into mz.payment (payment_id) values ('X')")


def test_schema_drift_in_the_source_fails_clearly(warehouse, source):
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("alter table mz.payment drop column paid_at")
    from ingest.bizdb import SourceSchemaDrift

    with pytest.raises(SourceSchemaDrift, match="paid_at"):
        pull(warehouse, source, D1)


def test_reruns_in_any_order_equal_the_days_run_once(cluster, source):
    """Days run once each, or rerun and interleaved as a backfill might, leave the same raw rows."""
    import uuid

    from ingest.db import connect
    from ingest.warehouse import ensure_schema

    upsert(source, "P1", at(D1, 9))
    upsert(source, "P2", at(D2, 9))
    results = []
    for days in ([D1, D2], [D1, D1, D2, D1, D2, D2]):
        name = f"t_{uuid.uuid4().hex[:10]}"
        with connect(cluster.create_database(name)) as wh:
            ensure_schema(wh)
            for day in days:
                pull(wh, source, day)
            results.append(raw(wh))
        with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'drop database "{name}" with (force)')
    assert results[0] == results[1] and len(results[0]) == 2
