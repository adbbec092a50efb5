"""The reference platform (rig/platform_server.py) against the spec, over real HTTP.

These tests sign requests by hand (not with ingest.push) so that the rig is checked
independently of the client it is meant to test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from support import api_warning

from rig.platform_server import PlatformServer

TOKEN, SECRET = "tok-test", "sec-test"
BATCHES = "/api/v1/warning-batches"


def make_warning(n: int = 1, revision: int = 1, **overrides: Any) -> dict[str, Any]:
    """The shared API warning, with the optional staff ids present as null."""
    return api_warning(n, revision, **{"handler_staff_id": None, "approver_staff_id": None, **overrides})


def batch_body(batch_id: str, warnings: list[dict[str, Any]], **extra: Any) -> bytes:
    batch = {"batch_id": batch_id, "source": "shenyang-minzheng", "generated_at": "2024-06-02T08:00:00+08:00"}
    return json.dumps({**batch, "warnings": warnings, **extra}, ensure_ascii=False).encode()


def post(
    base: str,
    body: bytes,
    *,
    key: str | None = "",
    token: str | None = TOKEN,
    secret: str = SECRET,
    ts: int | None = None,
    skew: int = 0,
    signature: str | None = "",
) -> requests.Response:
    """POST a batch, signed by hand; ``key=""`` means the body's batch_id, None omits it."""
    stamp = str(int(time.time()) + skew if ts is None else ts)
    headers = {"Content-Type": "application/json", "X-Request-Timestamp": stamp}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["Idempotency-Key"] = key or json.loads(body)["batch_id"]
    if signature is not None:
        headers["X-Signature"] = (
            signature or hmac.new(secret.encode(), stamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
        )
    return requests.post(base + BATCHES, data=body, headers=headers, timeout=5)


def get(base: str, path: str, token: str | None = TOKEN, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(base + path, headers=headers, params=params, timeout=5)


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
def base(server: PlatformServer) -> str:
    return server.base_url


def test_batch_taken_and_warning_readable(server: PlatformServer, base: str) -> None:
    resp = post(base, batch_body("b1", [make_warning(1), make_warning(2)]))
    assert resp.status_code == 202
    assert resp.json() == {
        "batch_id": "b1",
        "accepted": [
            {"warning_id": f"W01-{1:020x}", "revision": 1},
            {"warning_id": f"W01-{2:020x}", "revision": 1},
        ],
        "duplicates": [],
        "stale": [],
    }
    got = get(base, f"/api/v1/warnings/W01-{1:020x}").json()
    assert (got["revision"], got["status"], got["verification"]["state"]) == (1, "active", "pending")
    assert got["verification"]["updated_at"] == server.stored(got["warning_id"])[0]["received_at"]
    assert get(base, f"/api/v1/warnings/W01-{9:020x}").status_code == 404
    assert get(base, f"/api/v1/warnings/W01-{1:020x}", token=None).status_code == 401


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"token": None}, 401),
        ({"token": "someone-else"}, 401),
        ({"signature": None}, 403),
        ({"secret": "wrong"}, 403),
        ({"signature": "ABCDEF"}, 403),
        ({"skew": -301}, 403),
        ({"skew": 301}, 403),
        ({"key": None}, 400),
        ({"key": "not-the-batch-id"}, 400),
    ],
)
def test_auth_signature_and_idempotency_key(
    server: PlatformServer, base: str, kwargs: dict, status: int
) -> None:
    assert post(base, batch_body("b1", [make_warning()]), **kwargs).status_code == status
    assert server.counts()["revisions"] == 0


def test_upper_case_signature_refused(base: str) -> None:
    body, ts = batch_body("b1", [make_warning()]), int(time.time())
    sig = hmac.new(SECRET.encode(), f"{ts}\n".encode() + body, hashlib.sha256).hexdigest().upper()
    assert post(base, body, ts=ts, signature=sig).status_code == 403


def test_too_many_warnings_is_413_before_schema(base: str) -> None:
    broken = [make_warning(i, amount_at_risk="1") for i in range(501)]
    assert post(base, batch_body("big", broken)).status_code == 413


def test_schema_violation_names_warnings_and_frees_the_id(server: PlatformServer, base: str) -> None:
    bad = [make_warning(1), make_warning(2, amount_at_risk="123.4"), make_warning(3, district_code="2101")]
    resp = post(base, batch_body("b1", bad))
    assert resp.status_code == 400
    named = {d.get("warning_id") for d in resp.json()["details"]}
    assert named == {f"W01-{2:020x}", f"W01-{3:020x}"}
    assert server.counts()["revisions"] == 0 and server.counts()["batches"] == 0
    # a 400 stored nothing: the id may be used again, with another body
    assert post(base, batch_body("b1", [make_warning(1)])).status_code == 202


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        batch_body("b1", [], source="shenyang-minzheng"),
        batch_body("b1", [make_warning()], source="elsewhere"),
        batch_body("b1", [make_warning()], generated_at="2024-06-02 08:00"),
        batch_body("b1", [make_warning(period_start="2024-02-30")]),
        batch_body("b1", [make_warning(subject={"type": "person", "id_number": "21010519491231002x"})]),
    ],
)
def test_malformed_batches_are_400(server: PlatformServer, base: str, body: bytes) -> None:
    assert post(base, body, key="b1").status_code == 400
    assert server.counts()["revisions"] == 0


def test_evidence_feed_outside_catalogue_is_400(server: PlatformServer, base: str) -> None:
    evidence = [{"feed": "ga_death", "record_key": "k=1"}, {"feed": "gov_lottery", "record_key": "k=2"}]
    resp = post(base, batch_body("b1", [make_warning(1), make_warning(2, evidence=evidence)]))
    assert resp.status_code == 400
    assert [d["warning_id"] for d in resp.json()["details"]] == [f"W01-{2:020x}"]
    assert "gov_lottery" in resp.json()["details"][0]["message"]
    assert server.counts()["revisions"] == 0


def test_replay_returns_first_receipt_and_other_body_conflicts(server: PlatformServer, base: str) -> None:
    warnings = [make_warning(1), make_warning(2)]
    first = post(base, batch_body("b1", warnings))
    # equal JSON, other bytes (key order, spacing): still the same batch
    replay_bytes = json.dumps(json.loads(batch_body("b1", warnings)), indent=2, sort_keys=True).encode()
    replay = post(base, replay_bytes)
    assert (replay.status_code, replay.json()) == (202, first.json())
    assert server.counts()["revisions"] == 2 and server.counts()["batches"] == 1
    assert post(base, batch_body("b1", [make_warning(1)])).status_code == 409
    # the same id with another body is 409 even when that body would break the schema
    assert post(base, batch_body("b1", [make_warning(1, months=0)])).status_code == 409


def test_duplicates_and_stale_within_and_across_batches(server: PlatformServer, base: str) -> None:
    a, b = f"W01-{1:020x}", f"W01-{2:020x}"
    post(base, batch_body("b1", [make_warning(1), make_warning(2, revision=2)]))
    second = [
        make_warning(1),  # held at 1: duplicate
        make_warning(2, revision=1),  # held at 2: stale
        make_warning(1, revision=2, status="withdrawn"),  # new
        make_warning(1, revision=2, status="withdrawn"),  # repeated in the same batch
    ]
    receipt = post(base, batch_body("b2", second)).json()
    assert receipt["accepted"] == [{"warning_id": a, "revision": 2}]
    assert receipt["duplicates"] == [{"warning_id": a, "revision": 1}, {"warning_id": a, "revision": 2}]
    assert receipt["stale"] == [{"warning_id": b, "revision": 1}]
    assert [r["revision"] for r in server.stored(a)] == [1, 2]  # the history is kept
    latest = get(base, f"/api/v1/warnings/{a}").json()
    assert (latest["revision"], latest["status"]) == (2, "withdrawn")


def test_verifications_paged_oldest_first(server: PlatformServer, base: str) -> None:
    post(base, batch_body("b1", [make_warning(i) for i in range(1, 6)]))
    time.sleep(0.01)
    cut = datetime.now(UTC)
    time.sleep(0.01)
    order = [4, 1, 5]
    for i in order:
        resp = requests.post(
            base + "/_admin/verifications",
            json={"warning_id": f"W01-{i:020x}", "state": "confirmed", "note": f"核实 {i}"},
            timeout=5,
        )
        assert resp.status_code == 200
    seen, token, pages = [], None, 0
    while True:
        params = {
            "updated_since": cut.isoformat(),
            "page_size": 2,
            **({"page_token": token} if token else {}),
        }
        page = get(base, "/api/v1/verifications", **params).json()
        seen += page["items"]
        pages += 1
        if not (token := page["next_page_token"]):
            break
    assert pages == 2
    assert [v["warning_id"] for v in seen] == [f"W01-{i:020x}" for i in order]
    assert {v["state"] for v in seen} == {"confirmed"} and seen[0]["note"] == "核实 4"
    stamps = [v["updated_at"] for v in seen]
    assert stamps == sorted(stamps)
    everything = get(base, "/api/v1/verifications", updated_since="2000-01-01T00:00:00Z").json()
    assert len(everything["items"]) == 5 and everything["next_page_token"] is None


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"updated_since": "yesterday"},
        {"updated_since": "2024-01-01T00:00:00"},  # no offset
        {"updated_since": "2024-01-01T00:00:00Z", "page_size": 0},
        {"updated_since": "2024-01-01T00:00:00Z", "page_size": 1001},
        {"updated_since": "2024-01-01T00:00:00Z", "page_token": "garbage!"},
    ],
)
def test_verifications_bad_query_is_400(base: str, params: dict) -> None:
    assert get(base, "/api/v1/verifications", **params).status_code == 400


def test_verifications_need_token(base: str) -> None:
    assert (
        get(base, "/api/v1/verifications", token=None, updated_since="2024-01-01T00:00:00Z").status_code
        == 401
    )


def test_admin_verification_hook_errors(base: str) -> None:
    post(base, batch_body("b1", [make_warning(1)]))
    url = base + "/_admin/verifications"
    assert (
        requests.post(
            url, json={"warning_id": "W01-" + "0" * 20, "state": "confirmed"}, timeout=5
        ).status_code
        == 404
    )
    assert (
        requests.post(url, json={"warning_id": f"W01-{1:020x}", "state": "maybe"}, timeout=5).status_code
        == 400
    )


def test_fault_injection_over_admin_http(server: PlatformServer, base: str) -> None:
    faults = base + "/_admin/faults"
    requests.post(faults, json={"kind": "503", "count": 2}, timeout=5)
    requests.post(faults, json={"kind": "429", "retry_after": 7}, timeout=5)
    assert requests.get(faults, timeout=5).json()["faults"][0] == {
        "kind": "503",
        "count": 2,
        "retry_after": 1,
        "path": None,
    }
    body = batch_body("b1", [make_warning(1)])
    assert [post(base, body).status_code for _ in range(2)] == [503, 503]
    throttled = post(base, body)
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "7")
    assert post(base, body).status_code == 202

    # a fault limited to one path leaves the others alone
    requests.post(faults, json={"kind": "503", "path": "/api/v1/verifications"}, timeout=5)
    assert get(base, f"/api/v1/warnings/W01-{1:020x}").status_code == 200
    assert get(base, "/api/v1/verifications", updated_since="2024-01-01T00:00:00Z").status_code == 503

    requests.post(faults, json={"kind": "drop_before_store"}, timeout=5)
    with pytest.raises(requests.ConnectionError):
        post(base, batch_body("b2", [make_warning(2)]))
    assert server.stored(f"W01-{2:020x}") == []

    requests.post(faults, json={"kind": "drop_after_store"}, timeout=5)
    with pytest.raises(requests.ConnectionError):
        post(base, batch_body("b3", [make_warning(3)]))
    assert len(server.stored(f"W01-{3:020x}")) == 1

    assert requests.post(faults, json={"kind": "teapot"}, timeout=5).status_code == 400
    requests.post(faults, json={"kind": "503", "count": 5}, timeout=5)
    assert requests.delete(faults, timeout=5).json() == {"faults": []}

    log = requests.get(base + "/_admin/requests", timeout=5).json()["requests"]
    api = [r for r in log if r["path"] == BATCHES]
    assert [(r["status"], r["fault"]) for r in api] == [
        (503, "503"),
        (503, "503"),
        (429, "429"),
        (202, None),
        (None, "drop_before_store"),
        (None, "drop_after_store"),
    ]
    counts = requests.get(base + "/_admin/counts", timeout=5).json()
    assert (counts["batches"], counts["warnings"], counts["revisions"]) == (2, 2, 2)
    revisions = requests.get(
        base + "/_admin/warnings", params={"warning_id": f"W01-{3:020x}"}, timeout=5
    ).json()
    assert revisions["revisions"][0]["warning"]["amount_at_risk"] == "123.45"


def test_concurrent_resends_store_once(server: PlatformServer, base: str) -> None:
    body = batch_body("b1", [make_warning(i) for i in range(1, 4)])
    results: list[requests.Response] = []
    threads = [threading.Thread(target=lambda: results.append(post(base, body))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {r.status_code for r in results} == {202}
    assert len({r.text for r in results}) == 1
    assert server.counts()["revisions"] == 3


def test_restart_with_db_file_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "platform.sqlite"
    wid = f"W01-{1:020x}"
    with PlatformServer(db, token=TOKEN, secret=SECRET) as first:
        body = batch_body("b1", [make_warning(1), make_warning(2)])
        receipt = post(first.base_url, body).json()
        first.set_verification(wid, "dismissed", note="已核实，家属已退回")
    with PlatformServer(db, token=TOKEN, secret=SECRET) as second:
        got = get(second.base_url, f"/api/v1/warnings/{wid}").json()
        assert (got["revision"], got["verification"]["state"]) == (1, "dismissed")
        assert got["verification"]["note"] == "已核实，家属已退回"
        replay = post(second.base_url, body)
        assert (replay.status_code, replay.json()) == (202, receipt)
        assert second.counts()["revisions"] == 2
        assert post(second.base_url, batch_body("b1", [make_warning(3)])).status_code == 409
