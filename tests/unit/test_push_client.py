"""ingest.push against the reference platform, over real HTTP on 127.0.0.1.

Waits go through an injected ``sleep`` that only records, so retries cost no wall time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from support import api_warning as make_warning

from ingest.push import (
    BatchConflict,
    BatchRejected,
    BatchTooLarge,
    PlatformAuthError,
    PlatformClient,
    PlatformUnavailable,
    build_batch,
    sign,
)
from rig.platform_server import PlatformServer

TOKEN, SECRET = "tok-client", "sec-client"
GENERATED = datetime(2024, 6, 2, 8, 0, tzinfo=timezone(timedelta(hours=8)))


def wid(n: int) -> str:
    return f"W01-{n:020x}"


class Recorder:
    """Stands in for time.sleep and for the warehouse's attempt log."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.attempts: list[tuple[int, int | None, str | None, float]] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def on_attempt(self, attempt_no: int, status: int | None, error: str | None, elapsed_s: float) -> None:
        self.attempts.append((attempt_no, status, error, elapsed_s))


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set in the environment must not carry our 127.0.0.1 traffic."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def server() -> Iterator[PlatformServer]:
    srv = PlatformServer(token=TOKEN, secret=SECRET)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def client(server: PlatformServer, rec: Recorder) -> PlatformClient:
    return PlatformClient(
        server.base_url,
        TOKEN,
        SECRET,
        timeout=5,
        backoff_base=0.5,
        backoff_max=4,
        sleep=rec.sleep,
        on_attempt=rec.on_attempt,
    )


def test_sign_is_lower_hex_hmac_of_timestamp_newline_body() -> None:
    body = '{"a":"张"}'.encode()
    expected = hmac.new(b"k", b"1717286400\n" + body, hashlib.sha256).hexdigest()
    assert sign("k", "1717286400", body) == expected == expected.lower()


def test_build_batch_is_canonical_and_bounded() -> None:
    body = build_batch([make_warning(1)], "b1", GENERATED)
    batch = json.loads(body)
    assert batch["source"] == "shenyang-minzheng" and batch["generated_at"] == "2024-06-02T08:00:00+08:00"
    assert body == json.dumps(batch, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert "张三".encode() in body  # UTF-8, not \\u escapes
    assert build_batch([make_warning(1)], "b1", GENERATED) == body  # deterministic
    with pytest.raises(ValueError):
        build_batch([make_warning(i) for i in range(501)], "big", GENERATED)
    with pytest.raises(ValueError):
        build_batch([], "empty", GENERATED)
    with pytest.raises(ValueError):
        build_batch([make_warning(1)], "b1", datetime(2024, 6, 2))  # naive: which zone?
    with pytest.raises(ValueError):
        build_batch([make_warning(1)], "x" * 65, GENERATED)


def test_send_and_read_back(server: PlatformServer, client: PlatformClient, rec: Recorder) -> None:
    receipt = client.send_batch("b1", build_batch([make_warning(1), make_warning(2)], "b1", GENERATED))
    assert receipt["accepted"] == [
        {"warning_id": wid(1), "revision": 1},
        {"warning_id": wid(2), "revision": 1},
    ]
    assert [(a, s, e) for a, s, e, _ in rec.attempts] == [(1, 202, None)]
    held = client.get_warning(wid(1))
    assert held is not None and held["verification"]["state"] == "pending"
    assert client.get_warning(wid(99)) is None
    with pytest.raises(ValueError):
        client.send_batch("other-id", build_batch([make_warning(1)], "b1", GENERATED))


def test_503_then_success_is_stored_once(
    server: PlatformServer, client: PlatformClient, rec: Recorder
) -> None:
    server.inject("503", count=1)
    receipt = client.send_batch("b1", build_batch([make_warning(1)], "b1", GENERATED))
    assert receipt["accepted"] == [{"warning_id": wid(1), "revision": 1}]
    assert [(a, s) for a, s, _, _ in rec.attempts] == [(1, 503), (2, 202)]
    assert len(rec.sleeps) == 1 and 0.25 <= rec.sleeps[0] <= 0.5  # first backoff: base, half jittered
    assert (server.counts()["batches"], server.counts()["revisions"]) == (1, 1)


def test_429_retry_after_is_honoured(server: PlatformServer, client: PlatformClient, rec: Recorder) -> None:
    server.inject("429", count=2, retry_after=7)
    client.send_batch("b1", build_batch([make_warning(1)], "b1", GENERATED))
    assert rec.sleeps == [7.0, 7.0]  # the server's word, not our backoff (capped at 4 here)
    assert [s for _, s, _, _ in rec.attempts] == [429, 429, 202]


def test_lost_answer_resent_gets_first_receipt_and_stores_once(
    server: PlatformServer, client: PlatformClient, rec: Recorder
) -> None:
    body = build_batch([make_warning(1), make_warning(2)], "b1", GENERATED)
    server.inject("drop_after_store", count=1)
    receipt = client.send_batch("b1", body)
    assert rec.attempts[0][1] is None and "ConnectionError" in (rec.attempts[0][2] or "")
    # the resend was answered as the first time: all accepted, none "duplicate"
    assert receipt["accepted"] == [
        {"warning_id": wid(1), "revision": 1},
        {"warning_id": wid(2), "revision": 1},
    ]
    assert receipt["duplicates"] == []
    assert client.send_batch("b1", body) == receipt
    assert (server.counts()["batches"], server.counts()["revisions"]) == (1, 2)
    posts = [r for r in server.requests_log() if r["method"] == "POST"]
    assert [(r["status"], r["fault"]) for r in posts] == [
        (None, "drop_after_store"),
        (202, None),
        (202, None),
    ]


def test_dropped_before_store_is_retried(server: PlatformServer, client: PlatformClient) -> None:
    server.inject("drop_before_store", count=2)
    receipt = client.send_batch("b1", build_batch([make_warning(1)], "b1", GENERATED))
    assert len(receipt["accepted"]) == 1 and server.counts()["revisions"] == 1


def test_gives_up_after_max_attempts(server: PlatformServer, rec: Recorder) -> None:
    client = PlatformClient(server.base_url, TOKEN, SECRET, max_attempts=3, backoff_max=1, sleep=rec.sleep)
    server.inject("503", count=10)
    with pytest.raises(PlatformUnavailable):
        client.send_batch("b1", build_batch([make_warning(1)], "b1", GENERATED))
    assert len(rec.sleeps) == 2 and all(s <= 1 for s in rec.sleeps)  # no sleep after the last attempt
    assert server.counts()["revisions"] == 0


def test_backoff_grows_and_is_capped() -> None:
    client = PlatformClient("http://127.0.0.1:9", TOKEN, SECRET, backoff_base=0.5, backoff_max=30)
    for attempt, cap in [(1, 0.5), (2, 1), (3, 2), (7, 30), (20, 30)]:
        assert cap / 2 <= client.backoff(attempt) <= cap


def test_same_id_other_body_conflicts(client: PlatformClient) -> None:
    client.send_batch("b1", build_batch([make_warning(1)], "b1", GENERATED))
    rebuilt = build_batch([make_warning(1)], "b1", GENERATED + timedelta(minutes=1))
    with pytest.raises(BatchConflict):
        client.send_batch("b1", rebuilt)


def test_schema_breaking_warning_is_rejected_with_details(
    server: PlatformServer, client: PlatformClient, rec: Recorder
) -> None:
    body = build_batch([make_warning(1), make_warning(2, amount_at_risk="12.3")], "b1", GENERATED)
    with pytest.raises(BatchRejected) as caught:
        client.send_batch("b1", body)
    assert [d.get("warning_id") for d in caught.value.details] == [wid(2)]
    assert len(rec.attempts) == 1 and server.counts()["revisions"] == 0  # not retried, nothing stored


def test_unknown_evidence_feed_is_rejected(server: PlatformServer, client: PlatformClient) -> None:
    bad = make_warning(3, evidence=[{"feed": "no_such_feed", "record_key": "k=1"}])
    with pytest.raises(BatchRejected) as caught:
        client.send_batch("b1", build_batch([bad], "b1", GENERATED))
    assert caught.value.status == 400 and caught.value.details[0]["warning_id"] == wid(3)
    # a 400 stored nothing, so the id can carry the corrected batch
    assert client.send_batch("b1", build_batch([make_warning(3)], "b1", GENERATED))["accepted"]


def test_more_than_500_is_too_large(client: PlatformClient) -> None:
    batch = json.loads(build_batch([make_warning(1)], "big", GENERATED))
    batch["warnings"] = [make_warning(i) for i in range(501)]
    with pytest.raises(BatchTooLarge):
        client.send_batch("big", json.dumps(batch).encode())


@pytest.mark.parametrize(
    ("token", "secret", "skew"),
    [("tok-client", "wrong-secret", 0), ("wrong-token", "sec-client", 0), ("tok-client", "sec-client", -301)],
)
def test_auth_errors_are_not_retried(
    server: PlatformServer, rec: Recorder, token: str, secret: str, skew: int
) -> None:
    client = PlatformClient(
        server.base_url,
        token,
        secret,
        sleep=rec.sleep,
        on_attempt=rec.on_attempt,
        clock=lambda: time.time() + skew,
    )
    with pytest.raises(PlatformAuthError):
        client.send_batch("b1", build_batch([make_warning(1)], "b1", GENERATED))
    assert len(rec.attempts) == 1 and rec.sleeps == []


def test_revision_replays_report_duplicates_and_stale(server: PlatformServer, client: PlatformClient) -> None:
    client.send_batch(
        "b1", build_batch([make_warning(1, revision=1), make_warning(2, revision=3)], "b1", GENERATED)
    )
    receipt = client.send_batch(
        "b2",
        build_batch(
            [make_warning(1, revision=1), make_warning(2, revision=2), make_warning(1, revision=2)],
            "b2",
            GENERATED,
        ),
    )
    assert receipt["duplicates"] == [{"warning_id": wid(1), "revision": 1}]
    assert receipt["stale"] == [{"warning_id": wid(2), "revision": 2}]
    assert receipt["accepted"] == [{"warning_id": wid(1), "revision": 2}]
    assert [r["revision"] for r in server.stored(wid(1))] == [1, 2]
    assert (client.get_warning(wid(2)) or {})["revision"] == 3


def test_iter_verifications_pages_oldest_first(
    server: PlatformServer, client: PlatformClient, rec: Recorder
) -> None:
    client.send_batch("b1", build_batch([make_warning(i) for i in range(1, 6)], "b1", GENERATED))
    time.sleep(0.01)
    cut = datetime.now(UTC).astimezone(timezone(timedelta(hours=8)))  # any offset will do
    time.sleep(0.01)
    for i, state in [(3, "assigned"), (1, "confirmed"), (5, "dismissed"), (3, "confirmed")]:
        server.set_verification(wid(i), state, note=f"第{i}号")
    server.inject("503", count=1, path="/api/v1/verifications")  # a page fetch is retried too
    rec.attempts.clear()
    items = list(client.iter_verifications(cut, page_size=2))
    assert [(v["warning_id"], v["state"]) for v in items] == [
        (wid(1), "confirmed"),
        (wid(5), "dismissed"),
        (wid(3), "confirmed"),
    ]
    assert [s for _, s, _, _ in rec.attempts] == [503, 200, 200]  # two pages, one retry
    assert len(list(client.iter_verifications(cut - timedelta(days=1)))) == 5
    with pytest.raises(ValueError):
        list(client.iter_verifications(datetime(2024, 1, 1)))
