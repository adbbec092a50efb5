"""Reference implementation of the discipline-inspection platform's warning intake.

It follows ``ingest/spec/platform-api.yaml`` strictly, so that the warehouse's push client
(``ingest/push.py``) is proven against the contract itself rather than against a mock that
agrees with whatever the client happens to do. The ``WarningBatch`` schema is loaded from the
spec file at start-up (never copied), and evidence feeds are checked against ``feeds.yml``.

Choices where the spec is silent (kept in one place so the docs can quote them):

* Check order for a POST: fault injection, 401 token, 403 timestamp/signature, 400 malformed
  JSON, 413 more than 500 warnings (before the schema, as the spec lists it separately),
  400 ``Idempotency-Key`` missing or not the body's ``batch_id``, then exactly-once (replay →
  first receipt, other body → 409, both before the schema: an id already answered 202 is
  taken, whatever the new body looks like), then 400 for schema or unknown evidence feed.
* "Equal JSON body" is compared on canonical JSON (sorted keys, no whitespace), not bytes.
* Warnings in one batch are taken in order, so a (warning_id, revision) repeated inside a
  batch is a duplicate of the first, and a lower revision after a higher one is stale.
* A warning's verification starts ``pending`` with ``updated_at`` = first receipt; a new
  revision (also a withdrawal) leaves the verifier's outcome as it is.
* ``updated_since`` is inclusive (``>=``): re-reading the boundary item is harmless to an
  upsert, missing an item with the same timestamp is not. It must carry an offset (RFC 3339).
  Timestamps the platform makes are UTC, microseconds, strictly increasing within a process,
  so "oldest first" is a total order; ties (admin-set times) break on ``warning_id``.
* Page tokens are opaque keyset cursors, stable while outcomes keep changing.
* Every endpoint, GETs included, needs the Bearer token; only POSTs are signed.

Not part of the spec: ``/_admin/...`` test/ops hooks (no auth; bind the rig to localhost):

* ``GET  /_admin/health``                    → ``{"ok": true}``
* ``GET  /_admin/warnings[?warning_id=W]``   → ``{"revisions": [...]}`` every revision held
* ``GET  /_admin/counts``                    → batches, warnings, revisions, requests, states
* ``GET  /_admin/requests``                  → ``{"requests": [...]}`` the request log
* ``POST /_admin/verifications``  ``{"warning_id", "state", "note"?, "updated_at"?}`` → the
  verification (simulates a verifier; 404 if the warning is not held)
* ``POST /_admin/faults``  ``{"kind": "503"|"429"|"drop_before_store"|"drop_after_store",
  "count": N, "retry_after": S, "path": "/api/v1/..."?}`` → the next N API requests (whose path
  starts with ``path``, if given) are answered 503, 429 with ``Retry-After: S``, or have their
  connection closed without an answer, before or after the request took effect.
* ``GET /_admin/faults`` lists pending faults, ``DELETE /_admin/faults`` clears them.

Run it: ``python -m rig.platform_server --port 8600 --db PATH --token T --secret S``; in tests
use :class:`PlatformServer` in-process.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import json
import os
import re
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import Message
from functools import lru_cache
from hashlib import sha256
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml
from jsonschema import Draft202012Validator, FormatChecker

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = PROJECT_ROOT / "ingest" / "spec" / "platform-api.yaml"
FEEDS_PATH = PROJECT_ROOT / "ingest" / "spec" / "feeds.yml"

BATCHES_PATH = "/api/v1/warning-batches"
WARNING_PREFIX = "/api/v1/warnings/"
VERIFICATIONS_PATH = "/api/v1/verifications"
MAX_WARNINGS = 500
MAX_SKEW_S = 300
MAX_BODY_BYTES = 32 * 1024 * 1024
VERIFICATION_STATES = ("pending", "assigned", "confirmed", "dismissed")
FAULT_KINDS = ("503", "429", "drop_before_store", "drop_after_store")

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_STAMP_FMT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so stored stamps sort as strings

# jsonschema only asserts `format` with a checker, and its date-time check needs an optional
# package we do not pin; these two are all the spec uses.
_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE_RE.fullmatch(value)) and date.fromisoformat(value) is not None


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATETIME_RE.fullmatch(value)) and datetime.fromisoformat(value.upper()) is not None


def parse_rfc3339(value: str) -> datetime:
    """An RFC 3339 date-time with offset, as an aware datetime (ValueError otherwise)."""
    if not _DATETIME_RE.fullmatch(value):
        raise ValueError(f"not an RFC 3339 date-time with offset: {value!r}")
    return datetime.fromisoformat(value.upper())


def _stamp_of(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime(_STAMP_FMT)


def canonical_json(obj: Any) -> str:
    """The form in which two bodies are "equal JSON": sorted keys, no insignificant space."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=4)  # parsed once per process: tests start many servers
def load_batch_validator(spec_path: Path = SPEC_PATH) -> Draft202012Validator:
    """A validator for ``WarningBatch`` whose ``$ref``s resolve inside the spec's components."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",  # OpenAPI 3.1's dialect
        "$ref": "#/components/schemas/WarningBatch",
        "components": spec["components"],
    }
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_FORMATS)


@lru_cache(maxsize=4)
def load_feed_names(feeds_path: Path = FEEDS_PATH) -> frozenset[str]:
    """The catalogue's feed names: the keys of ``feeds:`` in feeds.yml."""
    return frozenset(yaml.safe_load(feeds_path.read_text(encoding="utf-8"))["feeds"])


@dataclass
class Reply:
    """One HTTP answer; ``drop`` closes the connection instead of sending it."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


@dataclass
class Fault:
    """A pending injected fault, consumed one API request at a time."""

    kind: str
    count: int = 1
    retry_after: int = 1
    path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "count": self.count, "retry_after": self.retry_after, "path": self.path}


_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY, body TEXT NOT NULL, receipt TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS warning_revisions (
    warning_id TEXT NOT NULL, revision INTEGER NOT NULL, status TEXT NOT NULL,
    batch_id TEXT NOT NULL, received_at TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (warning_id, revision));
CREATE TABLE IF NOT EXISTS verifications (
    warning_id TEXT PRIMARY KEY, state TEXT NOT NULL, note TEXT, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS verifications_by_time ON verifications (updated_at, warning_id);
CREATE TABLE IF NOT EXISTS request_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
    status INTEGER, fault TEXT, idempotency_key TEXT, note TEXT);
"""


class Platform:
    """The platform's behaviour, independent of HTTP plumbing; thread-safe.

    One SQLite connection guarded by a lock: the rig serves a handful of clients, and taking
    a whole batch under the lock is what makes exactly-once hold under concurrent resends.
    """

    def __init__(
        self,
        db_path: str | Path | None = None,
        token: str = "test-token",
        secret: str = "test-secret",
        clock: Callable[[], float] = time.time,
        spec_path: Path = SPEC_PATH,
        feeds_path: Path = FEEDS_PATH,
    ) -> None:
        self.token = token
        self.secret = secret
        self.clock = clock
        self.validator = load_batch_validator(spec_path)
        self.feed_names = load_feed_names(feeds_path)
        self._lock = threading.RLock()
        self._faults: list[Fault] = []
        self._db = sqlite3.connect(
            ":memory:" if db_path is None else str(db_path), check_same_thread=False, isolation_level=None
        )
        self._db.row_factory = sqlite3.Row
        if db_path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        last = self._db.execute(
            "SELECT max(m) FROM (SELECT max(updated_at) m FROM verifications"
            " UNION ALL SELECT max(received_at) FROM warning_revisions)"
        ).fetchone()[0]
        self._last_us = _us_of(last) if last else 0

    # -- plumbing --------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _now(self) -> str:
        """A UTC stamp, strictly increasing so that "oldest first" is unambiguous."""
        with self._lock:
            self._last_us = max(int(self.clock() * 1_000_000), self._last_us + 1)
            return datetime.fromtimestamp(self._last_us / 1_000_000, UTC).strftime(_STAMP_FMT)

    def _log(self, method: str, path: str, reply: Reply, fault: str | None, key: str | None) -> None:
        error = reply.body.get("error") if isinstance(reply.body, dict) else None
        note = f"answer {reply.status} dropped" if reply.drop and reply.status else error
        with self._tx() as db:
            db.execute(
                "INSERT INTO request_log (at, method, path, status, fault, idempotency_key, note)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self._now(), method, path, None if reply.drop else reply.status, fault, key, note),
            )

    # -- dispatch --------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Message, raw: bytes) -> Reply:
        """Answer one request (fault injection first, as a flaky gateway would) and log it."""
        url = urlsplit(target)
        fault = None if url.path.startswith("/_admin/") else self._take_fault(url.path)
        if fault is not None and fault.kind == "503":
            reply = Reply(503, {"error": "temporarily unavailable (injected)"})
        elif fault is not None and fault.kind == "429":
            reply = Reply(
                429, {"error": "too many requests (injected)"}, {"Retry-After": str(fault.retry_after)}
            )
        elif fault is not None and fault.kind == "drop_before_store":
            reply = Reply(0, drop=True)
        else:
            try:
                reply = self._route(method, url.path, parse_qs(url.query), headers, raw)
            except Exception as exc:  # a rig bug must still answer, and be visible in the log
                reply = Reply(500, {"error": f"{type(exc).__name__}: {exc}"})
            if fault is not None:  # drop_after_store: the request took effect, the answer is lost
                reply.drop = True
        self._log(method, url.path, reply, fault.kind if fault else None, headers.get("Idempotency-Key"))
        return reply

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], headers: Message, raw: bytes
    ) -> Reply:
        if path.startswith("/_admin/"):
            return self._admin(method, path, query, raw)
        routes = {BATCHES_PATH: "POST", VERIFICATIONS_PATH: "GET"}
        allowed = routes.get(path, "GET" if path.startswith(WARNING_PREFIX) else None)
        if allowed is None:
            return Reply(404, {"error": "no such resource"})
        if method != allowed:
            return Reply(405, {"error": f"use {allowed}"}, {"Allow": allowed})
        if not self._bearer_ok(headers.get("Authorization")):
            return Reply(401, {"error": "missing or unknown token"}, {"WWW-Authenticate": "Bearer"})
        if path == BATCHES_PATH:
            return self._post_batch(headers, raw)
        if path == VERIFICATIONS_PATH:
            return self._list_verifications(query)
        return self._get_warning(unquote(path[len(WARNING_PREFIX) :]))

    def _bearer_ok(self, value: str | None) -> bool:
        scheme, _, token = (value or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self.token.encode())

    def _signature_error(self, headers: Message, raw: bytes) -> str | None:
        ts, sig = headers.get("X-Request-Timestamp"), headers.get("X-Signature")
        if not ts or not sig:
            return "missing X-Request-Timestamp or X-Signature"
        if not re.fullmatch(r"\d{1,12}", ts.strip()):
            return "X-Request-Timestamp is not Unix seconds"
        if abs(int(ts) - self.clock()) > MAX_SKEW_S:
            return f"timestamp more than {MAX_SKEW_S} s from the platform's clock"
        want = hmac.new(self.secret.encode(), ts.strip().encode() + b"\n" + raw, sha256).hexdigest()
        if not hmac.compare_digest(sig.strip(), want):
            return "wrong signature"
        return None

    # -- POST /api/v1/warning-batches ------------------------------------------------------

    def _post_batch(self, headers: Message, raw: bytes) -> Reply:
        if (err := self._signature_error(headers, raw)) is not None:
            return Reply(403, {"error": err})
        try:
            batch = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            return Reply(400, {"error": f"malformed JSON: {exc}"})
        if not isinstance(batch, dict):
            return Reply(400, {"error": "the body is not a JSON object"})
        warnings = batch.get("warnings")
        if isinstance(warnings, list) and len(warnings) > MAX_WARNINGS:
            return Reply(413, {"error": f"{len(warnings)} warnings; at most {MAX_WARNINGS} per batch"})
        key = headers.get("Idempotency-Key")
        if not key or key != batch.get("batch_id"):
            return Reply(400, {"error": "Idempotency-Key must be present and equal the body's batch_id"})
        details = self._problems(batch)
        body = canonical_json(batch)
        with self._tx() as db:
            held = db.execute("SELECT body, receipt FROM batches WHERE batch_id = ?", (key,)).fetchone()
            if held is not None:
                if held["body"] == body:
                    return Reply(202, json.loads(held["receipt"]))
                return Reply(409, {"error": f"batch_id {key!r} was already used with a different body"})
            if details:
                return Reply(
                    400, {"error": "the batch breaks the schema; nothing was stored", "details": details}
                )
            receipt = self._store(db, key, batch["warnings"])
            db.execute(
                "INSERT INTO batches (batch_id, body, receipt, received_at) VALUES (?, ?, ?, ?)",
                (key, body, canonical_json(receipt), self._now()),
            )
        return Reply(202, receipt)

    def _problems(self, batch: dict[str, Any]) -> list[dict[str, str]]:
        """Schema violations and unknown evidence feeds, each naming its warning if it has one."""
        warnings = batch.get("warnings") if isinstance(batch.get("warnings"), list) else []

        def detail(path: list[Any], message: str) -> dict[str, str]:
            out = {"message": f"{'/'.join(map(str, path)) or '(batch)'}: {message}"}
            if len(path) >= 2 and path[0] == "warnings" and isinstance(path[1], int):
                wid = warnings[path[1]].get("warning_id") if isinstance(warnings[path[1]], dict) else None
                if isinstance(wid, str):
                    out["warning_id"] = wid
            return out

        errors = sorted(self.validator.iter_errors(batch), key=lambda e: [str(p) for p in e.absolute_path])
        details = [detail(list(e.absolute_path), e.message) for e in errors]
        for i, w in enumerate(warnings):
            evidence = w.get("evidence") if isinstance(w, dict) else None
            for j, ev in enumerate(evidence if isinstance(evidence, list) else []):
                feed = ev.get("feed") if isinstance(ev, dict) else None
                if isinstance(feed, str) and feed not in self.feed_names:
                    details.append(
                        detail(
                            ["warnings", i, "evidence", j, "feed"], f"{feed!r} is not a feed of the catalogue"
                        )
                    )
        return details

    def _store(self, db: sqlite3.Connection, batch_id: str, warnings: list[dict[str, Any]]) -> dict[str, Any]:
        receipt: dict[str, Any] = {"batch_id": batch_id, "accepted": [], "duplicates": [], "stale": []}
        for w in warnings:
            wid, rev = w["warning_id"], int(w["revision"])
            ref = {"warning_id": wid, "revision": rev}
            latest = db.execute(
                "SELECT max(revision) FROM warning_revisions WHERE warning_id = ?", (wid,)
            ).fetchone()[0]
            same = db.execute(
                "SELECT 1 FROM warning_revisions WHERE warning_id = ? AND revision = ?", (wid, rev)
            ).fetchone()
            if same is not None:
                receipt["duplicates"].append(ref)
            elif latest is not None and rev < latest:
                receipt["stale"].append(ref)
            else:
                now = self._now()
                db.execute(
                    "INSERT INTO warning_revisions VALUES (?, ?, ?, ?, ?, ?)",
                    (wid, rev, w["status"], batch_id, now, canonical_json(w)),
                )
                db.execute(
                    "INSERT OR IGNORE INTO verifications (warning_id, state, note, updated_at)"
                    " VALUES (?, 'pending', NULL, ?)",
                    (wid, now),
                )
                receipt["accepted"].append(ref)
        return receipt

    # -- GETs ------------------------------------------------------------------------------

    def _verification(self, warning_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT warning_id, state, updated_at, note FROM verifications WHERE warning_id = ?",
                (warning_id,),
            ).fetchone()
        return dict(row) if row else None

    def _get_warning(self, warning_id: str) -> Reply:
        with self._lock:
            row = self._db.execute(
                "SELECT warning_id, revision, status FROM warning_revisions WHERE warning_id = ?"
                " ORDER BY revision DESC LIMIT 1",
                (warning_id,),
            ).fetchone()
            if row is None:
                return Reply(404, {"error": "not held"})
            return Reply(200, {**dict(row), "verification": self._verification(warning_id)})

    def _list_verifications(self, query: dict[str, list[str]]) -> Reply:
        try:
            since = _stamp_of(parse_rfc3339(query["updated_since"][0]))
        except (KeyError, ValueError) as exc:
            return Reply(400, {"error": f"updated_since must be an RFC 3339 date-time with offset ({exc})"})
        try:
            size = int(query.get("page_size", ["500"])[0])
            if not 1 <= size <= 1000:
                raise ValueError
        except ValueError:
            return Reply(400, {"error": "page_size must be an integer from 1 to 1000"})
        after = ("", "")
        if "page_token" in query:
            try:
                cursor = json.loads(base64.urlsafe_b64decode(query["page_token"][0]))
                since, after = cursor["since"], (cursor["at"], cursor["id"])
            except (ValueError, KeyError, TypeError, binascii.Error):
                return Reply(400, {"error": "bad page_token"})
        with self._lock:
            rows = self._db.execute(
                "SELECT warning_id, state, updated_at, note FROM verifications"
                " WHERE updated_at >= ? AND (updated_at, warning_id) > (?, ?)"
                " ORDER BY updated_at, warning_id LIMIT ?",
                (since, *after, size + 1),
            ).fetchall()
        items = [dict(r) for r in rows[:size]]
        token = None
        if len(rows) > size:
            last = items[-1]
            cursor = {"since": since, "at": last["updated_at"], "id": last["warning_id"]}
            token = base64.urlsafe_b64encode(canonical_json(cursor).encode()).decode()
        return Reply(200, {"items": items, "next_page_token": token})

    # -- admin hooks (not part of the spec) ------------------------------------------------

    def _admin(self, method: str, path: str, query: dict[str, list[str]], raw: bytes) -> Reply:
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            return Reply(400, {"error": "malformed JSON"})
        try:
            match method, path:
                case "GET", "/_admin/health":
                    return Reply(200, {"ok": True})
                case "GET", "/_admin/warnings":
                    return Reply(200, {"revisions": self.stored(query.get("warning_id", [None])[0])})
                case "GET", "/_admin/counts":
                    return Reply(200, self.counts())
                case "GET", "/_admin/requests":
                    return Reply(200, {"requests": self.requests_log()})
                case "POST", "/_admin/verifications":
                    return Reply(200, self.set_verification(**payload))
                case "POST", "/_admin/faults":
                    self.inject(**payload)
                    return Reply(200, {"faults": self.faults()})
                case "GET", "/_admin/faults":
                    return Reply(200, {"faults": self.faults()})
                case "DELETE", "/_admin/faults":
                    self.clear_faults()
                    return Reply(200, {"faults": []})
        except KeyError as exc:
            return Reply(404, {"error": str(exc)})
        except (TypeError, ValueError) as exc:
            return Reply(400, {"error": str(exc)})
        return Reply(404, {"error": "no such admin hook"})

    def set_verification(
        self, warning_id: str, state: str, note: str | None = None, updated_at: str | None = None
    ) -> dict[str, Any]:
        """Record a verifier's outcome (as the platform's users would); KeyError if not held."""
        if state not in VERIFICATION_STATES:
            raise ValueError(f"state must be one of {VERIFICATION_STATES}")
        stamp = _stamp_of(parse_rfc3339(updated_at)) if updated_at else self._now()
        with self._tx() as db:
            cur = db.execute(
                "UPDATE verifications SET state = ?, note = ?, updated_at = ? WHERE warning_id = ?",
                (state, note, stamp, warning_id),
            )
            if cur.rowcount == 0:
                raise KeyError(f"warning {warning_id} is not held")
        return self._verification(warning_id) or {}

    def inject(self, kind: str, count: int = 1, retry_after: int = 1, path: str | None = None) -> None:
        """Queue a fault for the next ``count`` API requests (optionally only under ``path``)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}")
        if int(count) < 1 or int(retry_after) < 0:
            raise ValueError("count must be >= 1 and retry_after >= 0")
        with self._lock:
            self._faults.append(Fault(kind, int(count), int(retry_after), path))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for f in self._faults:
                if f.path is None or path.startswith(f.path):
                    f.count -= 1
                    if f.count == 0:
                        self._faults.remove(f)
                    return f
        return None

    def stored(self, warning_id: str | None = None) -> list[dict[str, Any]]:
        """Every revision held (history), oldest warning/revision first."""
        sql = "SELECT warning_id, revision, status, batch_id, received_at, body FROM warning_revisions"
        args: tuple[str, ...] = ()
        if warning_id is not None:
            sql, args = sql + " WHERE warning_id = ?", (warning_id,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY warning_id, revision", args).fetchall()
        return [
            {**{k: r[k] for k in r.keys() if k != "body"}, "warning": json.loads(r["body"])} for r in rows
        ]

    def counts(self) -> dict[str, Any]:
        with self._lock:
            one = self._db.execute(
                "SELECT (SELECT count(*) FROM batches), (SELECT count(DISTINCT warning_id) FROM warning_revisions),"
                " (SELECT count(*) FROM warning_revisions), (SELECT count(*) FROM request_log)"
            ).fetchone()
            states = self._db.execute("SELECT state, count(*) FROM verifications GROUP BY state").fetchall()
        return {
            "batches": one[0],
            "warnings": one[1],
            "revisions": one[2],
            "requests": one[3],
            "verification_states": {s: n for s, n in states},
        }

    def requests_log(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._db.execute("SELECT * FROM request_log ORDER BY id").fetchall()]


def _us_of(stamp: str) -> int:
    return int(datetime.strptime(stamp, _STAMP_FMT).replace(tzinfo=UTC).timestamp() * 1_000_000)


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP adapter over :class:`Platform`. HTTP/1.0: one request per connection, so a
    dropped answer is always a clean connection error for the client."""

    server: _HTTPServer
    protocol_version = "HTTP/1.0"

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._send(Reply(400, {"error": "bad Content-Length"}))
            return
        if length > MAX_BODY_BYTES:
            self._send(Reply(413, {"error": "request body too large"}))
            return
        raw = self.rfile.read(length) if length > 0 else b""
        reply = self.server.platform.handle(self.command, self.path, self.headers, raw)
        if reply.drop:
            self.close_connection = True  # answer nothing: the client sees the connection close
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        data = b"" if reply.body is None else canonical_json(reply.body).encode("utf-8")
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: every request is in the platform's request log instead."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], platform: Platform) -> None:
        super().__init__(address, _Handler)
        self.platform = platform


class PlatformServer:
    """The platform on a background thread, for tests and local runs.

    >>> srv = PlatformServer(token="t", secret="s"); url = srv.start(); ...; srv.stop()
    """

    def __init__(
        self,
        db_path: str | Path | None = None,
        token: str = "test-token",
        secret: str = "test-secret",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.platform = Platform(db_path, token=token, secret=secret, clock=clock)
        self._httpd = _HTTPServer((host, port), self.platform)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        """Serve on a daemon thread; returns the base URL (port chosen at construction)."""
        # a short poll interval: stop() waits for it, and tests start and stop many servers
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name="platform-server", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and close the store (a file store then reopens intact)."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()
        self.platform.close()

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (the CLI), then close the store."""
        try:
            self._httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self._httpd.server_close()
            self.platform.close()

    def __enter__(self) -> PlatformServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Python-side hooks, the same as the /_admin/ ones.
    def inject(self, kind: str, count: int = 1, retry_after: int = 1, path: str | None = None) -> None:
        self.platform.inject(kind, count, retry_after, path)

    def clear_faults(self) -> None:
        self.platform.clear_faults()

    def set_verification(
        self, warning_id: str, state: str, note: str | None = None, updated_at: str | None = None
    ) -> dict[str, Any]:
        return self.platform.set_verification(warning_id, state, note, updated_at)

    def stored(self, warning_id: str | None = None) -> list[dict[str, Any]]:
        return self.platform.stored(warning_id)

    def counts(self) -> dict[str, Any]:
        return self.platform.counts()

    def requests_log(self) -> list[dict[str, Any]]:
        return self.platform.requests_log()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """CLI: serve in the foreground until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument("--db", default=None, help="SQLite file (default: in memory, lost on exit)")
    parser.add_argument("--token", default=os.environ.get("PLATFORM_TOKEN"))
    parser.add_argument("--secret", default=os.environ.get("PLATFORM_SECRET"))
    args = parser.parse_args(argv)
    if not args.token or not args.secret:
        parser.error("--token and --secret (or PLATFORM_TOKEN / PLATFORM_SECRET) are required")
    server = PlatformServer(args.db, token=args.token, secret=args.secret, host=args.host, port=args.port)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    print(f"platform listening on {server.base_url} (db: {args.db or 'memory'})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
