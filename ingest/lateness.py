"""Late and incomplete deliveries: what was expected by a cut-off and had not come.

A delivery of business date D is expected by the run for the day it is published (D for a
daily feed; the 3rd of the next month for a monthly one, delivery.md). Its **cut-off** is that
day's end (00:00 Asia/Shanghai of the next day) plus ``LATE_CUTOFF_HOURS`` (default 6, so
06:00 after the 02:30 run). A run may wait for the delivery it expects today, polling the
landing folder, but never past the cut-off nor longer than ``DELIVERY_WAIT_MINUTES``
(default 0: no wait; production sets it). Past the cut-off, an expected delivery still not
seen is recorded once in the ledger as ``late`` (or ``incomplete`` when its folder is there
without ``manifest.json``: an upload that never finished). The record is keyed like any
delivery (sequence 0, fingerprint ``late`` / ``incomplete``), so reruns add nothing; a
delivery arriving afterwards loads as usual and the ledger shows both facts.

The cut-off is relative to the business date, not to when a run happens, so a backfill
records exactly what the days run one by one would have recorded.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from ingest import ledger
from ingest.catalogue import Delivery, month_end
from ingest.ledger import DeliveryKey, Outcome

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_CUTOFF_HOURS = 6.0
PUBLISH_DAY_OF_MONTH = 3  # monthly feeds land on the 3rd of the next month


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"environment variable {name}={raw!r} is not a number") from None
    if value < 0:
        raise ValueError(f"environment variable {name}={raw!r} must not be negative")
    return value


def cutoff_hours() -> float:
    return _env_float("LATE_CUTOFF_HOURS", DEFAULT_CUTOFF_HOURS)


def max_wait_minutes() -> float:
    return _env_float("DELIVERY_WAIT_MINUTES", 0.0)


def poll_seconds() -> float:
    return _env_float("DELIVERY_POLL_SECONDS", 60.0) or 60.0


def latest_published_month_end(day: date) -> date:
    """The latest month-end whose monthly delivery is published by ``day`` (on the 3rd after it)."""
    return (day - timedelta(days=PUBLISH_DAY_OF_MONTH - 1)).replace(day=1) - timedelta(days=1)


def published_on(delivery: Delivery, business_date: date) -> date:
    """The day whose run is the first that can load this business date's delivery."""
    if delivery.frequency == "monthly":
        return business_date + timedelta(days=PUBLISH_DAY_OF_MONTH)
    return business_date


def first_expected(delivery: Delivery, first_run: date) -> date:
    """delivery.md: a feed's first delivery has the first run's date (monthly: the latest
    month-end published by then)."""
    if delivery.frequency == "monthly":
        return latest_published_month_end(first_run)
    return first_run


def expected_dates(delivery: Delivery, first_run: date, through: date) -> list[date]:
    """Business dates whose delivery the runs up to ``through`` can expect to have loaded."""
    dates, day = [], first_expected(delivery, first_run)
    while published_on(delivery, day) <= through:
        dates.append(day)
        day = month_end(day + timedelta(days=1)) if delivery.frequency == "monthly" else day + timedelta(days=1)
    return dates


def due_today(delivery: Delivery, run_date: date) -> date | None:
    """The business date whose delivery the run for ``run_date`` expects to arrive now."""
    if delivery.frequency != "monthly":
        return run_date
    if run_date.day == PUBLISH_DAY_OF_MONTH:
        return run_date.replace(day=1) - timedelta(days=1)
    return None


def deadline(delivery: Delivery, business_date: date, hours: float | None = None) -> datetime:
    hours = cutoff_hours() if hours is None else hours
    day_after = published_on(delivery, business_date) + timedelta(days=1)
    return datetime.combine(day_after, dtime(0), tzinfo=SHANGHAI) + timedelta(hours=hours)


def _folder(landing: Path, delivery: Delivery, business_date: date) -> Path:
    return landing / delivery.unit / delivery.feed.name / f"{business_date:%Y%m%d}"


def _now() -> datetime:
    return datetime.now(tz=SHANGHAI)


def _ledger_dates(conn: psycopg.Connection, delivery: Delivery) -> dict[date, set[str]]:
    rows = conn.execute(
        "select business_date, status from meta.deliveries where unit = %s and feed = %s",
        (delivery.unit, delivery.feed.name),
    ).fetchall()
    out: dict[date, set[str]] = {}
    for day, status in rows:
        out.setdefault(day, set()).add(status)
    return out


# A date needs no late/incomplete record once a delivery was seen for it, or one was recorded.
_SETTLED = {"loaded", "superseded", "rejected", "duplicate", "late", "incomplete"}


def _unfinished_folders(landing: Path, delivery: Delivery, through: date) -> dict[date, Path]:
    """Folders of this unit and feed without manifest.json (uploads in progress), by date."""
    base = landing / delivery.unit / delivery.feed.name
    out: dict[date, Path] = {}
    if not base.is_dir():
        return out
    for folder in base.iterdir():
        if not folder.is_dir() or (folder / "manifest.json").is_file():
            continue
        try:
            day = datetime.strptime(folder.name, "%Y%m%d").date()
        except ValueError:
            continue
        if published_on(delivery, day) <= through:
            out[day] = folder
    return out


def record_overdue(conn: psycopg.Connection, delivery: Delivery, first_run: date, through: date, *,
                   landing: Path | None = None, now: datetime | None = None,
                   hours: float | None = None) -> list[Outcome]:
    """Record, once, every expected delivery of this unit and feed not seen by its cut-off."""
    if delivery.mode not in ("file", "api"):
        return []
    now = now or _now()
    hours = cutoff_hours() if hours is None else hours
    known = _ledger_dates(conn, delivery)
    unfinished = _unfinished_folders(landing, delivery, through) if landing is not None else {}
    outcomes = []
    for day in sorted(set(expected_dates(delivery, first_run, through)) | set(unfinished)):
        if known.get(day, set()) & _SETTLED:
            continue
        cut = deadline(delivery, day, hours)
        if now < cut:
            continue
        folder = unfinished.get(day)
        if folder is not None:
            status = "incomplete"
            names = sorted(p.name for p in folder.iterdir() if p.is_file())
            reason = (f"folder {folder.name} still has no manifest.json at the cut-off "
                      f"{cut:%Y-%m-%d %H:%M} (upload never finished; {len(names)} file(s) present)")
            files: list | None = [{"name": n} for n in names]
        else:
            status = "late"
            reason = f"no delivery by the cut-off {cut:%Y-%m-%d %H:%M} Asia/Shanghai (LATE_CUTOFF_HOURS={hours:g})"
            files = None
        key = DeliveryKey(delivery.unit, delivery.feed.name, delivery.mode, day, 0, status)
        with conn.transaction():
            ledger.record(conn, key, status, reason, files)
        log.warning("%s/%s %s: %s", delivery.unit, delivery.feed.name, day, reason)
        outcomes.append(Outcome(delivery.unit, delivery.feed.name, day, 0, status, reason=reason))
    return outcomes


def wait_for_delivery(landing: Path, delivery: Delivery, run_date: date, *,
                      conn: psycopg.Connection | None = None,
                      max_wait: float | None = None, poll: float | None = None,
                      now: Callable[[], datetime] = _now,
                      sleep: Callable[[float], None] = time.sleep) -> bool:
    """Poll for the delivery due today until it is complete, its cut-off passes, or the wait
    (``DELIVERY_WAIT_MINUTES``) ends. True when it is there (or already loaded)."""
    day = due_today(delivery, run_date)
    if day is None:
        return True
    folder = _folder(landing, delivery, day)

    def arrived() -> bool:
        if (folder / "manifest.json").is_file():
            return True
        return conn is not None and bool(_ledger_dates(conn, delivery).get(day, set()) & {"loaded", "superseded"})

    wait_s = (max_wait_minutes() if max_wait is None else max_wait) * 60
    poll = poll_seconds() if poll is None else poll
    if arrived() or wait_s <= 0:
        return arrived()
    stop = min(deadline(delivery, day), now() + timedelta(seconds=wait_s))
    log.info("%s/%s: waiting for the delivery of %s until %s (cut-off %s)", delivery.unit,
             delivery.feed.name, day, f"{stop:%H:%M:%S}", f"{deadline(delivery, day):%Y-%m-%d %H:%M}")
    while not arrived():
        left = (stop - now()).total_seconds()
        if left <= 0:
            log.warning("%s/%s: delivery of %s not complete after waiting; going on without it",
                        delivery.unit, delivery.feed.name, day)
            return False
        sleep(min(poll, left))
    log.info("%s/%s: delivery of %s arrived", delivery.unit, delivery.feed.name, day)
    return True
