"""API deliveries: ``GET {base}/v1/{feed}?business_date=…`` paged, with a Bearer token.

A business date not yet published answers 404 and is asked again by the next run; 429 and
502/503/504 are retried with backoff (honouring Retry-After); 401/403 end the run for that
partner at once (delivery.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Callable
from datetime import date, timedelta

import psycopg
import requests

from ingest import ledger
from ingest.catalogue import Delivery, month_end
from ingest.lateness import first_expected
from ingest.ledger import DeliveryKey, Outcome
from ingest.rawload import RawWriter

log = logging.getLogger(__name__)
PAGE_SIZE = 1000
RETRY_STATUSES = {429, 502, 503, 504}


class PartnerApiError(RuntimeError):
    """The partner API failed in a way retrying will not fix (or retries ran out)."""


class NotPublished(Exception):
    pass


class PartnerApiClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 60, max_attempts: int = 6,
                 backoff_base: float = 1.0, backoff_max: float = 60,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.sleep = sleep

    def _get(self, feed: str, params: dict) -> dict:
        url = f"{self.base_url}/v1/{feed}"
        for attempt in range(1, self.max_attempts + 1):
            wait = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
            try:
                resp = self.session.get(url, params=params, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = f"connection failed: {exc.__class__.__name__}"
            else:
                if resp.status_code == 200:
                    return resp.json()
                if resp.status_code == 404:
                    raise NotPublished()
                if resp.status_code in (401, 403):
                    raise PartnerApiError(f"{feed}: HTTP {resp.status_code} (bad or expired token)")
                if resp.status_code not in RETRY_STATUSES:
                    raise PartnerApiError(f"{feed}: unexpected HTTP {resp.status_code}: {resp.text[:200]}")
                problem = f"HTTP {resp.status_code}"
                retry_after = resp.headers.get("Retry-After")
                if retry_after and retry_after.strip().isdigit():
                    wait = min(self.backoff_max, float(retry_after))
            if attempt == self.max_attempts:
                raise PartnerApiError(f"{feed}: gave up after {attempt} attempts ({problem})")
            log.warning("%s %s: %s, retry %s in %.1fs", feed, params.get("business_date"), problem,
                        attempt, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")

    def records(self, feed: str, business_date: date) -> list[dict]:
        """All records of one business date, across pages (raises NotPublished on 404)."""
        params: dict = {"business_date": business_date.isoformat(), "page_size": PAGE_SIZE}
        out: list[dict] = []
        while True:
            page = self._get(feed, params)
            out.extend(page.get("records") or [])
            token = page.get("next_page_token")
            if not token:
                return out
            params = {**params, "page_token": token}


def candidate_dates(first_date: date, through: date, delivery: Delivery) -> list[date]:
    """Dates the API may hold for this feed from the warehouse's first run on (a monthly
    feed's first delivery is the latest month-end published by the first run, delivery.md)."""
    dates, day = [], first_expected(delivery, first_date)
    while day <= through:
        if delivery.frequency != "monthly":
            dates.append(day)
            day += timedelta(days=1)
        else:
            end = month_end(day)
            if end <= through:
                dates.append(end)
            day = end + timedelta(days=1)
    return dates


def _unloaded(conn: psycopg.Connection, delivery: Delivery, dates: list[date]) -> list[date]:
    rows = conn.execute(
        """select business_date from meta.deliveries
           where unit = %s and feed = %s and status in ('loaded', 'superseded')""",
        (delivery.unit, delivery.feed.name),
    ).fetchall()
    done = {r[0] for r in rows}
    return [d for d in dates if d not in done]


def load_api_deliveries(conn: psycopg.Connection, client: PartnerApiClient, delivery: Delivery,
                        first_date: date, through: date) -> list[Outcome]:
    outcomes = []
    for day in _unloaded(conn, delivery, candidate_dates(first_date, through, delivery)):
        try:
            records = client.records(delivery.feed.name, day)
        except NotPublished:
            outcomes.append(Outcome(delivery.unit, delivery.feed.name, day, 0, "not_published"))
            continue
        outcomes.append(_load(conn, delivery, day, records))
    return outcomes


def _load(conn: psycopg.Connection, delivery: Delivery, day: date, records: list[dict]) -> Outcome:
    body = json.dumps(records, ensure_ascii=False, sort_keys=True).encode()
    key = DeliveryKey(delivery.unit, delivery.feed.name, "api", day, 1, hashlib.sha256(body).hexdigest())
    missing = sorted({c for r in records for c in delivery.feed.column_names if c not in r})
    if missing:
        reason = f"schema drift, missing column(s) {', '.join(missing)}"
        with conn.transaction():
            ledger.record(conn, key, "rejected", reason)
        return Outcome(key.unit, key.feed, day, 1, "rejected", reason=reason)
    with conn.transaction():
        delivery_id = ledger.open_loaded(conn, key)
        writer = RawWriter(conn, delivery.feed, key, delivery_id)
        for number, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                writer.reject(None, number, json.dumps(record, ensure_ascii=False), "record is not an object")
                continue
            writer.add(record, file=None, line=number, raw_text=json.dumps(record, ensure_ascii=False))
        writer.finish()
        ledger.close_loaded(conn, delivery_id, writer.rows, len(writer.quarantined),
                            sorted(writer.extra_columns))
    return Outcome(key.unit, key.feed, day, 1, "loaded", writer.rows, len(writer.quarantined),
                   extra_columns=sorted(writer.extra_columns))
