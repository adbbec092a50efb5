"""Business-database pulls: the bureau's ``mz`` schema, by ``updated_at`` watermark.

For business date D a pull reads the rows with ``watermark - 5 min < updated_at < D+1 00:00``
(Asia/Shanghai). The upper bound makes a day's pull reproducible, so a backfill gives the same
warehouse as the days run one by one; the 5-minute overlap catches transactions committed
late, and re-reading a row version changes nothing (raw is unique on key + updated_at).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

from ingest.catalogue import Delivery
from ingest.ledger import DeliveryKey, Outcome
from ingest.warehouse import raw_table

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
OVERLAP = timedelta(minutes=5)


class SourceSchemaDrift(RuntimeError):
    pass


def day_end(business_date: date) -> datetime:
    return datetime.combine(business_date + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def connect_source(dsn: str) -> psycopg.Connection:
    """The warehouse never writes to the business database: the session is read-only too."""
    return psycopg.connect(dsn, options="-c default_transaction_read_only=on", autocommit=True)


def _source_columns(source: psycopg.Connection, table: str) -> set[str]:
    schema, name = table.split(".", 1)
    rows = source.execute(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
        (schema, name),
    ).fetchall()
    return {r[0] for r in rows}


def pull_table(conn: psycopg.Connection, source: psycopg.Connection, delivery: Delivery,
               business_date: date) -> Outcome:
    feed = delivery.feed
    assert delivery.table, f"{feed.name}: db feed without a table in the catalogue"
    present = _source_columns(source, delivery.table)
    missing = [c for c in feed.column_names if c not in present]
    if missing:
        raise SourceSchemaDrift(f"{delivery.table}: missing column(s) {', '.join(missing)} (schema drift)")

    row = conn.execute("select watermark from meta.watermarks where feed = %s", (feed.name,)).fetchone()
    lower = (row[0] - OVERLAP) if row else None
    upper = day_end(business_date)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in feed.column_names)
    schema, table = delivery.table.split(".", 1)
    where = sql.SQL("updated_at < {}").format(sql.Literal(upper))
    if lower is not None:
        where = sql.SQL("updated_at > {} and ").format(sql.Literal(lower)) + where
    select = sql.SQL("select {} from {}.{} where {}").format(
        cols, sql.Identifier(schema), sql.Identifier(table), where
    )
    key = DeliveryKey(delivery.unit, feed.name, "db", business_date, 1, f"pull<{upper.isoformat()}")

    with conn.transaction():
        conn.execute(
            sql.SQL("create temp table pull on commit drop as select {} from {} with no data").format(
                cols, raw_table(feed.name)
            )
        )
        with source.cursor().copy(sql.SQL("copy ({}) to stdout").format(select)) as out, \
                conn.cursor().copy(sql.SQL("copy pull ({}) from stdin").format(cols)) as into:
            for chunk in out:
                into.write(chunk)
        read = conn.execute("select count(*), max(updated_at) from pull").fetchone()
        assert read is not None
        n_read, newest = read
        delivery_id = conn.execute(
            """insert into meta.deliveries (unit, feed, mode, business_date, sequence, fingerprint,
                                            status, loaded_at)
               values (%s, %s, 'db', %s, 1, %s, 'loaded', now())
               on conflict (unit, feed, business_date, sequence, fingerprint)
               do update set loaded_at = meta.deliveries.loaded_at
               returning delivery_id""",
            (key.unit, key.feed, business_date, key.fingerprint),
        ).fetchone()[0]  # type: ignore[index]
        inserted = conn.execute(
            sql.SQL(
                "insert into {raw} ({cols}, _delivery_id, _business_date, _sequence)"
                " select {cols}, %s, %s, 1 from pull on conflict do nothing"
            ).format(raw=raw_table(feed.name), cols=cols),
            (delivery_id, business_date),
        ).rowcount
        if inserted:
            conn.execute(
                "update meta.deliveries set rows_loaded = rows_loaded + %s where delivery_id = %s",
                (inserted, delivery_id),
            )
        if newest is not None and (row is None or newest > row[0]):
            conn.execute(
                """insert into meta.watermarks (feed, watermark) values (%s, %s)
                   on conflict (feed) do update set watermark = excluded.watermark, updated_at = now()""",
                (feed.name, newest),
            )
        if not inserted:
            # Nothing new: leave no trace of an empty pull (a rerun must add no row anywhere).
            conn.execute(
                "delete from meta.deliveries d where delivery_id = %s and rows_loaded = 0", (delivery_id,)
            )
    log.info("pulled %s for %s: %s read, %s new", delivery.table, business_date, n_read, inserted)
    return Outcome(delivery.unit, feed.name, business_date, 1, "loaded" if inserted else "seen", inserted)
