"""The load ledger (``meta.deliveries``): every delivery seen and what became of it.

The ledger is what makes loading idempotent: a delivery is known by (unit, feed,
business date, sequence, fingerprint), so seeing it again changes nothing, and a higher
sequence of a loaded date supersedes the earlier delivery whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import psycopg

from ingest.warehouse import raw_table


@dataclass(frozen=True)
class DeliveryKey:
    unit: str
    feed: str
    mode: str
    business_date: date
    sequence: int
    fingerprint: str


@dataclass
class Outcome:
    """What one delivery came to, for logs, task results and the demo's summary."""

    unit: str
    feed: str
    business_date: date
    sequence: int
    status: str  # loaded | rejected | duplicate | seen | not_published
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str | None = None
    extra_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**self.__dict__, "business_date": self.business_date.isoformat()}


def seen(conn: psycopg.Connection, key: DeliveryKey) -> str | None:
    """The status of this exact delivery if the ledger already has it."""
    row = conn.execute(
        """select status from meta.deliveries
           where unit = %s and feed = %s and business_date = %s and sequence = %s and fingerprint = %s""",
        (key.unit, key.feed, key.business_date, key.sequence, key.fingerprint),
    ).fetchone()
    return row[0] if row else None


def highest_loaded_sequence(conn: psycopg.Connection, key: DeliveryKey) -> int | None:
    """Greatest sequence ever loaded for this unit, feed and date (superseded ones count)."""
    row = conn.execute(
        """select max(sequence) from meta.deliveries
           where unit = %s and feed = %s and business_date = %s and status in ('loaded', 'superseded')""",
        (key.unit, key.feed, key.business_date),
    ).fetchone()
    return row[0] if row else None


def record(
    conn: psycopg.Connection,
    key: DeliveryKey,
    status: str,
    reason: str | None = None,
    files: list | None = None,
) -> int:
    """Insert a ledger row for a delivery that loads nothing (rejected or duplicate)."""
    row = conn.execute(
        """insert into meta.deliveries (unit, feed, mode, business_date, sequence, fingerprint,
                                        status, reason, files)
           values (%s, %s, %s, %s, %s, %s, %s, %s, %s)
           on conflict (unit, feed, business_date, sequence, fingerprint) do nothing
           returning delivery_id""",
        (key.unit, key.feed, key.mode, key.business_date, key.sequence, key.fingerprint,
         status, reason, json.dumps(files, ensure_ascii=False) if files is not None else None),
    ).fetchone()
    return row[0] if row else 0


def open_loaded(conn: psycopg.Connection, key: DeliveryKey, files: list | None = None) -> int:
    """Start a loaded delivery (inside the caller's transaction) and return its id."""
    row = conn.execute(
        """insert into meta.deliveries (unit, feed, mode, business_date, sequence, fingerprint,
                                        status, files, loaded_at)
           values (%s, %s, %s, %s, %s, %s, 'loaded', %s, now())
           returning delivery_id""",
        (key.unit, key.feed, key.mode, key.business_date, key.sequence, key.fingerprint,
         json.dumps(files, ensure_ascii=False) if files is not None else None),
    ).fetchone()
    assert row is not None
    return int(row[0])


def close_loaded(
    conn: psycopg.Connection, delivery_id: int, rows: int, quarantined: int, extra_columns: list[str]
) -> None:
    conn.execute(
        """update meta.deliveries set rows_loaded = %s, rows_quarantined = %s, extra_columns = %s,
                  reason = case when cardinality(%s::text[]) > 0
                                then 'schema drift: extra columns kept in _extra' end
           where delivery_id = %s""",
        (rows, quarantined, extra_columns or None, extra_columns, delivery_id),
    )


def supersede_earlier(conn: psycopg.Connection, key: DeliveryKey, new_id: int) -> int:
    """A redelivery replaces the earlier delivery of its date whole: its raw rows go."""
    earlier = conn.execute(
        """update meta.deliveries set status = 'superseded', superseded_by = %s
           where unit = %s and feed = %s and business_date = %s and status = 'loaded'
             and delivery_id <> %s
           returning delivery_id""",
        (new_id, key.unit, key.feed, key.business_date, new_id),
    ).fetchall()
    removed = 0
    for (old_id,) in earlier:
        cur = conn.execute(
            f"delete from {raw_table(key.feed).as_string(conn)} where _delivery_id = %s", (old_id,)
        )
        removed += cur.rowcount
    return removed
