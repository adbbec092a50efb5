"""End to end through the real DAG (dag.test): generated files, API and business database in,
warnings received at the reference platform out; then a rerun that changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import demo
from ingest.cli import run_days
from ingest.db import connect

FIRST = demo.date(2026, 11, 27)


@pytest.fixture(scope="module")
def world(tmp_path_factory, airflow_db):
    state = Path(tmp_path_factory.mktemp("state"))
    with demo.world(rig_dir=Path(tmp_path_factory.mktemp("rig")), db_prefix="e2e", size="tiny", days=3,
                    first_date=FIRST, seed=7, state_dir=state) as w:
        yield w


def latest_revisions(conn) -> dict[str, tuple[int, str]]:
    rows = conn.execute("""select distinct on (warning_id) warning_id, revision, status
                           from publish.warning_revisions order by warning_id, revision desc""").fetchall()
    return {w: (r, s) for w, r, s in rows}


def test_days_then_rerun(world):
    for day in world.business_days:
        world.publish(day)
        assert run_days([day]) == 0
        assert demo.compare(world, day) == [], f"warnings differ from the rig's expectations on {day}"
        with connect(world.warehouse_dsn) as conn:
            latest = latest_revisions(conn)
            pending = conn.execute("select count(*) from publish.outbox where state not in ('accepted')").fetchone()[0]
        assert pending == 0
        held = {r["warning_id"]: (r["revision"], r["status"]) for r in world.platform.stored()}
        assert latest == held  # platform holds each warning at its latest revision, once
        stored = world.platform.stored()
        assert len(stored) == len({(r["warning_id"], r["revision"]) for r in stored})
        with connect(world.warehouse_dsn) as conn:  # the verifiers' outcomes came back
            pulled = conn.execute("select count(*) from publish.verifications").fetchone()[0]
            in_mart = conn.execute("select coalesce(sum(warnings), 0) from feedback.rule_precision").fetchone()[0]
        assert pulled == in_mart == len(held)

    with connect(world.warehouse_dsn) as conn:
        statuses = {s for _, s in latest_revisions(conn).values()}
        ledger = dict(conn.execute("select status, count(*) from meta.deliveries group by 1").fetchall())
        before = demo.table_row_counts(conn)
        unindexed = conn.execute("""select count(*) from pg_tables t where schemaname = 'raw' and not exists (
                                      select 1 from pg_indexes i where i.schemaname = 'raw' and i.tablename = t.tablename
                                         and i.indexname = t.tablename || '__delivery_brin')""").fetchone()[0]
    assert unindexed == 0  # the DAG's build indexed the raw tables the first day created
    assert "withdrawn" in statuses  # the rig retracts a warning on the last day
    assert ledger.get("superseded") == 1  # a branch redelivered with a higher sequence
    posts = sum(r["method"] == "POST" for r in world.platform.requests_log())

    assert run_days([world.business_days[-1]]) == 0
    with connect(world.warehouse_dsn) as conn:
        assert demo.table_row_counts(conn) == before
    assert sum(r["method"] == "POST" for r in world.platform.requests_log()) == posts  # nothing pushed again
