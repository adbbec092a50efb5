"""Against the reference platform with injected 429, 503, dropped connections and a push
process killed (SIGKILL) mid-push: every warning is stored exactly once at its latest revision."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from support import PLATFORM_SECRET as SECRET
from support import PLATFORM_TOKEN as TOKEN
from support import set_warnings, warning

from ingest import publish, push

D = date(2026, 11, 28)
ROOT = Path(__file__).resolve().parents[2]
PUSHER = f"""
import sys
import ingest
from ingest import publish, push
from ingest.db import connect
with connect(sys.argv[1]) as conn:
    publish.push_pending(conn, push.PlatformClient(sys.argv[2], {TOKEN!r}, {SECRET!r}, backoff_base=0.05))
"""


def latest(conn) -> dict[str, tuple[int, str]]:
    rows = conn.execute("""select distinct on (warning_id) warning_id, revision, status
                           from publish.warning_revisions order by warning_id, revision desc""").fetchall()
    return {w: (r, s) for w, r, s in rows}


def test_faults_and_a_killed_process_lose_nothing_and_store_nothing_twice(wh, fresh_db, platform):
    rows = [warning(n) for n in range(1201)]
    set_warnings(wh, rows)
    publish.revise(wh, D)

    platform.inject("503", count=1)
    platform.inject("drop_after_store", count=1)  # batch 1 stored, its answer lost
    platform.inject("429", count=1, retry_after=120)  # the resend waits ... and the process dies
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", PUSHER, fresh_db, platform.base_url], env=env)
    try:
        deadline = time.monotonic() + 60
        # kill only once the 429 is logged in the warehouse: the pusher is then in its 120 s wait
        # (the platform logs the 429 before the client has even read it)
        while not wh.execute("select 1 from publish.push_attempts where status_code = 429").fetchone():
            assert proc.poll() is None and time.monotonic() < deadline, "pusher ended before the 429"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert platform.counts()["revisions"] == 500  # the first batch reached the platform
    assert wh.execute("select count(*) from publish.batches where state = 'open'").fetchone()[0] == 3  # built, kept
    killed = [s for (s,) in wh.execute("select status_code from publish.push_attempts order by attempt_id")]
    assert killed == [503, None, 429]  # the killed process's attempts were logged as they happened

    # the next run resends the very same batch, through more faults
    platform.inject("drop_before_store", count=1)
    platform.inject("429", count=2, retry_after=1)
    platform.inject("503", count=2)
    client = push.PlatformClient(platform.base_url, TOKEN, SECRET, sleep=lambda s: None)
    summary = publish.push_pending(wh, client)
    assert summary.accepted == 1201 and summary.duplicates == 0 and summary.batches == 3

    # a day later: 40 warnings change, 30 are withdrawn, pushed through a dropped connection
    day2 = [warning(n, amount="1810.00", months=2) if n < 40 else warning(n) for n in range(30, 1201)]
    set_warnings(wh, day2)
    assert publish.revise(wh, D + timedelta(days=1)) == publish.RevisionSummary(10, 30)
    platform.inject("drop_after_store", count=1)
    platform.inject("503", count=1)
    publish.push_pending(wh, client)

    stored = platform.stored()
    refs = [(r["warning_id"], r["revision"]) for r in stored]
    assert len(refs) == len(set(refs)) == 1201 + 40  # every revision stored once
    held: dict[str, tuple[int, str]] = {}
    for r in stored:
        held[r["warning_id"]] = max(held.get(r["warning_id"], (0, "")), (r["revision"], r["status"]))
    assert held == latest(wh)  # each warning at its latest revision
    assert wh.execute("select count(*) from publish.outbox where state <> 'accepted'").fetchone()[0] == 0
    statuses = [s for (s,) in wh.execute("select status_code from publish.push_attempts").fetchall()]
    assert statuses.count(None) >= 2 and 429 in statuses and 503 in statuses  # every attempt logged
