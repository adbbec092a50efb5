"""The warehouse's own tables: the load ledger, quarantine, watermarks and the raw layer.

Raw keeps every accepted row of every current delivery, typed per the catalogue, with the
delivery it came from; unknown extra columns go to ``_extra``. Identity numbers stay as
delivered (normalised later, in dbt staging, by the one identity macro).
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql

from ingest.catalogue import Catalogue, Feed, load_catalogue

META_DDL = """
create schema if not exists meta;
create schema if not exists raw;

-- Every delivery the warehouse has seen, whatever became of it (the load ledger).
create table if not exists meta.deliveries (
    delivery_id      bigserial primary key,
    unit             text not null,
    feed             text not null,
    mode             text not null,
    business_date    date not null,
    sequence         integer not null,
    fingerprint      text not null,      -- sha256 of the manifest / API records / db pull window
    status           text not null check (status in ('loaded', 'rejected', 'duplicate', 'superseded')),
    reason           text,
    files            jsonb,
    extra_columns    text[],
    rows_loaded      integer not null default 0,
    rows_quarantined integer not null default 0,
    seen_at          timestamptz not null default now(),
    loaded_at        timestamptz,
    superseded_by    bigint references meta.deliveries (delivery_id),
    unique (unit, feed, business_date, sequence, fingerprint)
);
create index if not exists deliveries_current
    on meta.deliveries (unit, feed, business_date) where status = 'loaded';

-- Rows that could not be parsed, with their delivery, place, raw text and reason.
create table if not exists meta.quarantine (
    quarantine_id  bigserial primary key,
    delivery_id    bigint not null references meta.deliveries (delivery_id),
    unit           text not null,
    feed           text not null,
    business_date  date not null,
    file           text,
    line           integer,
    raw_text       text not null,
    reason         text not null
);
create index if not exists quarantine_delivery on meta.quarantine (delivery_id);

-- Greatest updated_at pulled per business-database table.
create table if not exists meta.watermarks (
    feed        text primary key,
    watermark   timestamptz not null,
    updated_at  timestamptz not null default now()
);
"""

META_COLUMNS = """
    _delivery_id   bigint not null,
    _business_date date not null,
    _sequence      integer not null,
    _line          integer,
    _extra         jsonb,
    _loaded_at     timestamptz not null default now()
"""


def raw_table(feed: str) -> sql.Composed:
    return sql.SQL("raw.{}").format(sql.Identifier(feed))


def raw_table_ddl(feed: Feed, *, db_mode: bool) -> list[sql.Composable]:
    cols = sql.SQL(",\n    ").join(
        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.pg_type)) for c in feed.columns
    )
    statements: list[sql.Composable] = [
        sql.SQL("create table if not exists {} (\n    {},\n{})").format(
            raw_table(feed.name), cols, sql.SQL(META_COLUMNS)
        ),
        sql.SQL("create index if not exists {} on {} (_delivery_id)").format(
            sql.Identifier(f"{feed.name}__delivery"), raw_table(feed.name)
        ),
    ]
    if db_mode:
        # A business-database row version is its key plus updated_at: reading it twice
        # (the watermark overlap) must change nothing.
        version_cols = sql.SQL(", ").join(sql.Identifier(k) for k in (*feed.key, "updated_at"))
        statements.append(
            sql.SQL("create unique index if not exists {} on {} ({})").format(
                sql.Identifier(f"{feed.name}__version"), raw_table(feed.name), version_cols
            )
        )
    return statements


def ensure_schema(conn: psycopg.Connection, catalogue: Catalogue | None = None) -> None:
    """Create the meta and raw tables if missing (idempotent; safe at every run)."""
    catalogue = catalogue or load_catalogue()
    db_feeds = {d.feed.name for d in catalogue.by_mode("db")}
    with conn.transaction():
        # Serialise concurrent first runs (parallel tasks) on the DDL.
        conn.execute("select pg_advisory_xact_lock(hashtext('minzheng.ensure_schema'))")
        conn.execute(META_DDL)
        for feed in catalogue.feeds.values():
            for stmt in raw_table_ddl(feed, db_mode=feed.name in db_feeds):
                conn.execute(stmt)


def raw_column_names(feed: Feed) -> Iterable[str]:
    return [*feed.column_names, "_delivery_id", "_business_date", "_sequence", "_line", "_extra"]
