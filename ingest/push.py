"""The warehouse's client for the discipline-inspection platform (``spec/platform-api.yaml``).

Delivery is at-least-once from us and exactly-once at the platform, *provided* a resend is
byte-for-byte the batch first sent. So :func:`build_batch` serialises a batch once, the
caller stores those bytes with the batch id, and :meth:`PlatformClient.send_batch` only ever
(re)sends stored bytes: each attempt is re-signed with a fresh timestamp (the platform
rejects timestamps more than 300 s off, and a batch may be retried for longer than that), but
the body never changes.

Retried: 429 (after ``Retry-After``), 502/503/504, connection errors and timeouts (a lost
answer included: the platform answers the resend with the first receipt). Not retried, raised
as typed errors: 400 :class:`BatchRejected`, 401/403 :class:`PlatformAuthError`, 409
:class:`BatchConflict`, 413 :class:`BatchTooLarge`; any other status :class:`PlatformError`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import requests

SOURCE = "shenyang-minzheng"
MAX_WARNINGS = 500
RETRY_STATUSES = frozenset({429, 502, 503, 504})
_RETRY_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)

# on_attempt(attempt_no, status_code_or_None, error_or_None, elapsed_s): the warehouse logs
# every attempt, including the ones that never got an answer.
AttemptCallback = Callable[[int, int | None, str | None, float], None]


class PlatformError(Exception):
    """The platform answered something we cannot use, or never answered usefully."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class BatchRejected(PlatformError):
    """400: the batch (or a warning in it) breaks the schema; nothing was stored."""

    def __init__(
        self, message: str, details: list[dict[str, Any]], status: int = 400, body: Any = None
    ) -> None:
        super().__init__(message, status, body)
        self.details = details


class BatchConflict(PlatformError):
    """409: the batch id was already used with another body (a rebuilt batch: a bug of ours)."""


class PlatformAuthError(PlatformError):
    """401/403: wrong token, secret, or clock; retrying cannot help."""


class BatchTooLarge(PlatformError):
    """413: more than 500 warnings."""


class PlatformUnavailable(PlatformError):
    """Every attempt failed with a retryable status or a connection error."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256(secret, timestamp + "\\n" + raw body), as the spec defines."""
    return hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"\n" + body, hashlib.sha256
    ).hexdigest()


def _rfc3339(dt: datetime) -> str:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("a naive datetime is ambiguous here; give it a time zone")
    return dt.isoformat()


def build_batch(warnings: list[dict[str, Any]], batch_id: str, generated_at: datetime) -> bytes:
    """The batch as canonical JSON bytes (sorted keys, UTF-8, no ASCII escaping), built once.

    Store the result and resend exactly it: rebuilding (even with equal content but another
    ``generated_at``) would be "the same id with another body", answered 409.
    """
    if not 1 <= len(warnings) <= MAX_WARNINGS:
        raise ValueError(f"a batch holds 1 to {MAX_WARNINGS} warnings, not {len(warnings)}")
    if not batch_id or len(batch_id) > 64:
        raise ValueError("batch_id must be 1 to 64 characters")
    batch = {
        "batch_id": batch_id,
        "source": SOURCE,
        "generated_at": _rfc3339(generated_at),
        "warnings": warnings,
    }
    return json.dumps(
        batch, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def _json(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return resp.text


class PlatformClient:
    """Pushes batches and reads outcomes back, with the retry policy described above."""

    def __init__(
        self,
        base_url: str,
        token: str,
        secret: str,
        timeout: float = 30,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        backoff_max: float = 30,
        sleep: Callable[[float], None] = time.sleep,
        *,
        on_attempt: AttemptCallback | None = None,
        clock: Callable[[], float] = time.time,
        session: requests.Session | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.base_url = base_url.rstrip("/")
        self.token, self.secret = token, secret
        self.timeout, self.max_attempts = timeout, max_attempts
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.sleep, self.on_attempt, self.clock = sleep, on_attempt, clock
        self.session = session or requests.Session()

    def backoff(self, attempt_no: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random, capped."""
        cap = min(self.backoff_max, self.backoff_base * 2 ** (attempt_no - 1))
        return cap / 2 + random.uniform(0, cap / 2)

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: Callable[[], dict[str, str]] | None = None,
        params: dict[str, Any] | None = None,
        on_attempt: AttemptCallback | None = None,
    ) -> requests.Response:
        """One logical request: retried on transient failures; ``headers`` is called per attempt."""
        report = on_attempt or self.on_attempt
        last = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            started = time.monotonic()
            hdrs = {"Authorization": f"Bearer {self.token}", **(headers() if headers else {})}
            try:
                resp = self.session.request(
                    method, self.base_url + path, data=body, headers=hdrs, params=params, timeout=self.timeout
                )
            except _RETRY_ERRORS as exc:
                last = f"{type(exc).__name__}: {exc}"
                if report:
                    report(attempt, None, last, time.monotonic() - started)
                wait = self.backoff(attempt)
            else:
                if report:
                    error = None if resp.status_code < 400 else f"HTTP {resp.status_code}"
                    report(attempt, resp.status_code, error, time.monotonic() - started)
                if resp.status_code not in RETRY_STATUSES:
                    return resp
                last = f"HTTP {resp.status_code}"
                wait = self.backoff(attempt)
                if resp.status_code == 429:
                    retry_after = resp.headers.get("Retry-After", "").strip()
                    wait = float(retry_after) if retry_after.isdigit() else wait
            if attempt < self.max_attempts:
                self.sleep(wait)
        raise PlatformUnavailable(f"{method} {path}: gave up after {self.max_attempts} attempts ({last})")

    @staticmethod
    def _raise_for(resp: requests.Response) -> None:
        body, status = _json(resp), resp.status_code
        message = body.get("error", str(body)) if isinstance(body, dict) else str(body)
        if status in (401, 403):
            raise PlatformAuthError(f"HTTP {status}: {message}", status, body)
        if resp.request.method != "POST":  # the batch errors below are answers to a push only
            raise PlatformError(f"HTTP {status}: {message}", status, body)
        if status == 400:
            details = body.get("details", []) if isinstance(body, dict) else []
            raise BatchRejected(f"HTTP 400: {message}", details, status, body)
        if status == 409:
            raise BatchConflict(f"HTTP 409: {message}", status, body)
        if status == 413:
            raise BatchTooLarge(f"HTTP 413: {message}", status, body)
        raise PlatformError(f"HTTP {status}: {message}", status, body)

    def send_batch(
        self, batch_id: str, body: bytes, on_attempt: AttemptCallback | None = None
    ) -> dict[str, Any]:
        """Send (or resend) a stored batch; returns the platform's receipt.

        The receipt of a resend equals the first one, so a caller that lost an answer simply
        calls this again with the same id and bytes.
        """
        if json.loads(body).get("batch_id") != batch_id:
            raise ValueError("batch_id does not match the body's batch_id")

        def signed() -> dict[str, str]:
            ts = str(int(self.clock()))
            return {
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": batch_id,
                "X-Request-Timestamp": ts,
                "X-Signature": sign(self.secret, ts, body),
            }

        resp = self._request(
            "POST", "/api/v1/warning-batches", body=body, headers=signed, on_attempt=on_attempt
        )
        if resp.status_code != 202:
            self._raise_for(resp)
        return resp.json()

    def get_warning(self, warning_id: str) -> dict[str, Any] | None:
        """The latest revision the platform holds, with its verification; None if not held."""
        resp = self._request("GET", f"/api/v1/warnings/{requests.utils.quote(warning_id, safe='')}")
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            self._raise_for(resp)
        return resp.json()

    def iter_verifications(self, updated_since: datetime, page_size: int = 500) -> Iterator[dict[str, Any]]:
        """Outcomes changed since ``updated_since`` (inclusive), oldest first, across all pages."""
        if not 1 <= page_size <= 1000:
            raise ValueError("page_size must be 1 to 1000")
        _rfc3339(updated_since)  # refuses a naive datetime before it is read as UTC by mistake
        params: dict[str, Any] = {
            "updated_since": updated_since.astimezone(UTC).isoformat(),
            "page_size": page_size,
        }
        while True:
            resp = self._request("GET", "/api/v1/verifications", params=params)
            if resp.status_code != 200:
                self._raise_for(resp)
            page = resp.json()
            yield from page["items"]
            if not page.get("next_page_token"):
                return
            params["page_token"] = page["next_page_token"]
