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
    status           text not null,
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

-- Statuses (older databases were created with a narrower check: replace it, once).
do $$
begin
    if not exists (select 1 from pg_constraint
                   where conrelid = 'meta.deliveries'::regclass and conname = 'deliveries_status_check'
                     and pg_get_constraintdef(oid) like '%incomplete%') then
        alter table meta.deliveries drop constraint if exists deliveries_status_check;
        alter table meta.deliveries add constraint deliveries_status_check check (status in
            ('loaded', 'rejected', 'duplicate', 'superseded', 'late', 'incomplete'));
    end if;
end $$;

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

-- The catalogue's unit-feed pairs (refreshed from feeds.yml at every ensure_schema), so the
-- freshness views can show a partner that never delivered.
create table if not exists meta.feed_catalogue (
    unit       text not null,
    feed       text not null,
    mode       text not null,
    frequency  text not null,
    kind       text not null,
    primary key (unit, feed)
);
"""

# Partner freshness: what an operator looks at first in the morning (loaded deliveries only
# count rows; superseded ones are history). Latest business date = the greatest one the
# ledger knows; a monthly feed's expected date then is the latest month-end published by it.
FRESHNESS_DDL = """
create or replace view meta.partner_freshness_daily as
select unit, feed, business_date,
       count(*) filter (where status = 'loaded')     as deliveries_loaded,
       count(*) filter (where status = 'rejected')   as deliveries_rejected,
       count(*) filter (where status = 'duplicate')  as deliveries_duplicate,
       count(*) filter (where status = 'superseded') as deliveries_superseded,
       count(*) filter (where status = 'late')       as recorded_late,
       count(*) filter (where status = 'incomplete') as recorded_incomplete,
       coalesce(sum(rows_loaded) filter (where status = 'loaded'), 0)      as rows_loaded,
       coalesce(sum(rows_quarantined) filter (where status = 'loaded'), 0) as rows_quarantined,
       max(loaded_at) filter (where status = 'loaded') as last_loaded_at,
       bool_or(status = 'loaded') and bool_or(status in ('late', 'incomplete')) as arrived_late
from meta.deliveries
group by unit, feed, business_date;

create or replace view meta.partner_freshness as
with latest as (
    select max(business_date) as business_date from meta.deliveries
),
per_feed as (
    select unit, feed,
           max(business_date) filter (where status = 'loaded') as last_business_date,
           max(loaded_at) filter (where status = 'loaded')     as last_loaded_at,
           count(*) filter (where status = 'loaded')     as deliveries_loaded,
           count(*) filter (where status = 'rejected')   as deliveries_rejected,
           count(*) filter (where status = 'duplicate')  as deliveries_duplicate,
           count(*) filter (where status = 'superseded') as deliveries_superseded,
           count(*) filter (where status = 'late')       as deliveries_late,
           count(*) filter (where status = 'incomplete') as deliveries_incomplete,
           coalesce(sum(rows_loaded) filter (where status = 'loaded'), 0)      as rows_loaded,
           coalesce(sum(rows_quarantined) filter (where status = 'loaded'), 0) as rows_quarantined
    from meta.deliveries
    group by unit, feed
),
expected as (
    select c.*, latest.business_date as latest_business_date,
           case when c.mode = 'db' then null
                when c.frequency = 'monthly'
                    then (date_trunc('month', latest.business_date - 2) - interval '1 day')::date
                else latest.business_date end as expected_business_date
    from meta.feed_catalogue c cross join latest
)
select e.unit, e.feed, e.mode, e.frequency,
       p.last_business_date, p.last_loaded_at,
       coalesce(p.deliveries_loaded, 0)     as deliveries_loaded,
       coalesce(p.deliveries_rejected, 0)   as deliveries_rejected,
       coalesce(p.deliveries_duplicate, 0)  as deliveries_duplicate,
       coalesce(p.deliveries_superseded, 0) as deliveries_superseded,
       coalesce(p.deliveries_late, 0)       as deliveries_late,
       coalesce(p.deliveries_incomplete, 0) as deliveries_incomplete,
       coalesce(p.rows_loaded, 0)           as rows_loaded,
       coalesce(p.rows_quarantined, 0)      as rows_quarantined,
       e.latest_business_date,
       e.expected_business_date,
       case when e.expected_business_date is null then null
            else not exists (select 1 from meta.deliveries d
                             where d.unit = e.unit and d.feed = e.feed
                               and d.business_date = e.expected_business_date
                               and d.status = 'loaded') end as missing_latest
from expected e
left join per_feed p on p.unit = e.unit and p.feed = e.feed;
"""

META_COLUMNS = """
    _delivery_id   bigint not null,
    _business_date date not null,
    _sequence      integer not null,
    _line          integer,
    _file          text,
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
        # Databases created before raw kept the file name.
        sql.SQL("alter table {} add column if not exists _file text").format(raw_table(feed.name)),
        # Databases built with a btree on _delivery_id get the BRIN instead (raw_delivery_index).
        sql.SQL("drop index if exists raw.{}").format(sql.Identifier(f"{feed.name}__delivery")),
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


def raw_delivery_index(feed: str) -> sql.Composed:
    """BRIN, not btree: delivery ids only grow as rows are appended, so block ranges find a
    delivery's rows (supersede, dbt's incremental probes) while a load pays little for the index
    (a btree costs ~30 % of a large load's typed insert). Little is still ~15 % of rs_pension's
    5.4 M-row COPY, so a new raw table gets its index after its first load, from
    ``ensure_raw_indexes`` (one scan), not row by row."""
    return sql.SQL("create index if not exists {} on {} using brin (_delivery_id) with (autosummarize = on)").format(
        sql.Identifier(f"{feed}__delivery_brin"), raw_table(feed))


def ensure_raw_indexes(conn: psycopg.Connection, catalogue: Catalogue | None = None) -> list[str]:
    """Index the raw tables that have none yet (those created by this day's ``ensure_schema``):
    run after the loads and before dbt, which needs it. The feeds indexed now."""
    catalogue = catalogue or load_catalogue()
    have = {row[0] for row in conn.execute(
        "select tablename from pg_indexes where schemaname = 'raw' and indexname = tablename || '__delivery_brin'")}
    missing = [name for name in catalogue.feeds if name not in have]
    with conn.transaction():
        for name in missing:
            conn.execute(raw_delivery_index(name))
    return missing


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
        _refresh_feed_catalogue(conn, catalogue)
        conn.execute(FRESHNESS_DDL)


def _refresh_feed_catalogue(conn: psycopg.Connection, catalogue: Catalogue) -> None:
    pairs = [(d.unit, d.feed.name, d.mode, d.frequency, d.kind) for d in catalogue.deliveries]
    with conn.cursor() as cur:
        cur.executemany(
            """insert into meta.feed_catalogue (unit, feed, mode, frequency, kind) values (%s, %s, %s, %s, %s)
               on conflict (unit, feed) do update set mode = excluded.mode,
                   frequency = excluded.frequency, kind = excluded.kind""",
            pairs,
        )
    conn.execute(
        "delete from meta.feed_catalogue where (unit, feed) not in (select * from unnest(%s::text[], %s::text[]))",
        ([p[0] for p in pairs], [p[1] for p in pairs]),
    )


def raw_column_names(feed: Feed) -> Iterable[str]:
    return [*feed.column_names, "_delivery_id", "_business_date", "_sequence", "_line", "_file", "_extra"]
