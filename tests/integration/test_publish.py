"""Revisions, outbox and exactly-once push, against a real PostgreSQL and the reference platform.

The warning mart is stood in by a table of fct_warnings' shape, so each test states exactly
which warnings the warehouse currently raises.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from support import platform_client as client
from support import set_warnings, warning

from ingest import publish, push

D = date(2026, 11, 29)

def revisions(conn) -> list[tuple]:
    return conn.execute(
        "select warning_id, revision, status, months, amount_at_risk::text from publish.warning_revisions "
        "order by warning_id, revision").fetchall()


def test_revisions_follow_the_mart_and_never_delete(wh):
    set_warnings(wh, [warning(1), warning(2)])
    assert publish.revise(wh, D).new_or_changed == 2
    assert publish.revise(wh, D) == publish.RevisionSummary(0, 0)  # rerun: nothing new

    changed = warning(1, amount="1810.00", months=2)
    evidence_only = {**warning(2), "evidence": json.dumps([{"feed": "wj_death_certificate", "record_key": "x"}])}
    set_warnings(wh, [changed, evidence_only])
    assert publish.revise(wh, D) == publish.RevisionSummary(1, 0)  # evidence alone makes no revision

    set_warnings(wh, [changed])
    assert publish.revise(wh, D) == publish.RevisionSummary(0, 1)
    w2 = [r for r in revisions(wh) if r[0] == warning(2)["warning_id"]]
    assert w2 == [(w2[0][0], 1, "active", 1, "905.00"), (w2[0][0], 2, "withdrawn", 1, "905.00")]

    set_warnings(wh, [changed, warning(2)])  # back again after a withdrawal
    assert publish.revise(wh, D) == publish.RevisionSummary(1, 0)
    assert wh.execute("select count(*) from publish.outbox").fetchone()[0] == 5  # 2 new, 1 changed, 1 withdrawn, 1 back


def test_push_is_exactly_once_through_503_and_a_lost_answer(wh, platform):
    set_warnings(wh, [warning(n) for n in range(3)])
    publish.revise(wh, D)
    platform.inject("503", count=2)
    platform.inject("drop_after_store", count=1)
    summary = publish.push_pending(wh, client(platform))
    assert summary.batches == 1
    assert platform.counts()["revisions"] == 3
    attempts = wh.execute("select attempt, status_code from publish.push_attempts order by attempt_id").fetchall()
    assert [a[1] for a in attempts] == [503, 503, None, 202]
    states = wh.execute("select state, count(*) from publish.outbox group by state").fetchall()
    assert states == [("accepted", 3)]
    # rerun: nothing pending, nothing sent
    assert publish.push_pending(wh, client(platform)).batches == 0
    assert len(platform.requests_log()) == 4


def test_a_run_killed_after_building_resends_the_same_batch(wh, platform):
    set_warnings(wh, [warning(n) for n in range(5)])
    publish.revise(wh, D)

    class Killed(Exception):
        pass

    class DiesAfterSending(push.PlatformClient):
        def send_batch(self, batch_id, body, on_attempt=None):
            super().send_batch(batch_id, body, on_attempt=on_attempt)
            raise Killed()  # the process dies before the receipt is recorded

    with pytest.raises(Killed):
        publish.push_pending(wh, client(platform, cls=DiesAfterSending))
    (batch_id, state), = wh.execute("select batch_id, state from publish.batches").fetchall()
    assert state == "open"
    summary = publish.push_pending(wh, client(platform))
    assert (summary.batches, summary.accepted, summary.duplicates) == (1, 5, 0)  # the platform replays its receipt
    assert platform.counts()["revisions"] == 5
    assert {r["batch_id"] for r in platform.stored()} == {batch_id}


def test_batches_hold_at_most_500(wh, platform):
    set_warnings(wh, [warning(n) for n in range(1201)])
    publish.revise(wh, D)
    summary = publish.push_pending(wh, client(platform))
    assert (summary.batches, summary.accepted) == (3, 1201)
    sizes = sorted(r[0] for r in wh.execute("select warnings from publish.batches").fetchall())
    assert sizes == [201, 500, 500]


def test_a_400_sets_the_named_warning_aside_and_sends_the_rest(wh, platform):
    bad = warning(7, feed="not_a_feed")
    set_warnings(wh, [warning(1), bad, warning(3)])
    publish.revise(wh, D)
    summary = publish.push_pending(wh, client(platform))
    assert summary.rejected == 1 and summary.accepted == 2
    state, detail = wh.execute("select state, detail from publish.outbox where warning_id = %s",
                               (bad["warning_id"],)).fetchone()
    assert state == "rejected" and "not_a_feed" in detail
    assert platform.counts()["revisions"] == 2


def test_new_revision_reaches_the_platform_as_the_latest(wh, platform):
    set_warnings(wh, [warning(1)])
    publish.revise(wh, D)
    publish.push_pending(wh, client(platform))
    set_warnings(wh, [warning(1, amount="1810.00", months=2)])
    publish.revise(wh, D)
    publish.push_pending(wh, client(platform))
    set_warnings(wh, [])
    publish.revise(wh, D)
    publish.push_pending(wh, client(platform))
    held = client(platform).get_warning(warning(1)["warning_id"])
    assert (held["revision"], held["status"]) == (3, "withdrawn")
