"""409 and stale, against the reference platform: a batch id whose stored body changed is a
conflict recorded on the batch and raised; a revision older than the platform's is stale."""

from __future__ import annotations

import json
from datetime import date

import pytest
from support import platform_client as client
from support import set_warnings, warning

from ingest import publish, push

D = date(2026, 11, 29)


def test_a_409_is_recorded_on_the_batch_and_raised(wh, platform):
    set_warnings(wh, [warning(n) for n in range(3)])
    publish.revise(wh, D)

    class Killed(Exception):
        pass

    class DiesAfterSending(push.PlatformClient):
        def send_batch(self, batch_id, body, on_attempt=None):
            super().send_batch(batch_id, body, on_attempt=on_attempt)
            raise Killed()

    with pytest.raises(Killed):
        publish.push_pending(wh, client(platform, DiesAfterSending))
    # someone rebuilds the stored batch (another generated_at): the platform holds the first body
    (batch_id, body), = wh.execute("select batch_id, body from publish.batches").fetchall()
    rebuilt = json.loads(bytes(body))
    rebuilt["generated_at"] = "2026-11-30T00:00:00+00:00"
    wh.execute("update publish.batches set body = %s", (json.dumps(rebuilt).encode(),))

    with pytest.raises(publish.PublishConflict, match=f"409 for batch {batch_id}"):
        publish.push_pending(wh, client(platform))
    state, receipt = wh.execute("select state, receipt from publish.batches").fetchone()
    assert state == "conflict" and "different body" in receipt["error"]
    assert wh.execute("select status_code from publish.push_attempts order by attempt_id desc limit 1"
                      ).fetchone()[0] == 409
    # its warnings stay with the conflicted batch: not resent, not rebuilt into another batch
    assert wh.execute("select distinct state, batch_id from publish.outbox").fetchall() == [("batched", batch_id)]
    summary = publish.push_pending(wh, client(platform))
    assert summary.batches == 0
    assert platform.counts()["revisions"] == 3  # stored once, by the first send


def test_an_older_revision_after_a_newer_is_stale(wh, platform):
    set_warnings(wh, [warning(1)])
    publish.revise(wh, D)
    set_warnings(wh, [warning(1, amount="1810.00", months=2)])
    publish.revise(wh, D)
    wid = warning(1)["warning_id"]
    # revision 1 waits (as if held); revision 2 reaches the platform first
    wh.execute("update publish.outbox set state = 'held' where revision = 1")
    assert publish.push_pending(wh, client(platform)).accepted == 1
    wh.execute("update publish.outbox set state = 'pending' where revision = 1")
    summary = publish.push_pending(wh, client(platform))
    assert (summary.accepted, summary.stale) == (0, 1)
    assert wh.execute("select revision, state from publish.outbox order by revision").fetchall() == [
        (1, "stale"), (2, "accepted")]
    held = client(platform).get_warning(wid)
    assert held["revision"] == 2  # the platform keeps the latest


def test_a_resent_revision_is_a_duplicate(wh, platform):
    set_warnings(wh, [warning(1), warning(2)])
    publish.revise(wh, D)
    publish.push_pending(wh, client(platform))
    # the outbox forgot it sent warning 1 (restored from a backup) and warning 3 is new: they
    # travel in a new batch; the platform reports 1 as a duplicate and stores nothing twice
    wh.execute("update publish.outbox set state = 'pending', batch_id = null where warning_id = %s",
               (warning(1)["warning_id"],))
    set_warnings(wh, [warning(1), warning(2), warning(3)])
    publish.revise(wh, D)
    summary = publish.push_pending(wh, client(platform))
    assert (summary.batches, summary.accepted, summary.duplicates) == (1, 1, 1)
    assert wh.execute("select state from publish.outbox where warning_id = %s",
                      (warning(1)["warning_id"],)).fetchone()[0] == "duplicate"
    assert platform.counts()["revisions"] == 3
