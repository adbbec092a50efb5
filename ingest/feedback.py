"""Verification feedback: what the platform's verifiers decided, and each rule's precision.

``pull`` reads ``GET /api/v1/verifications`` from a watermark kept in the warehouse
(``publish.verification_watermark``: the greatest ``updated_at`` seen so far). The platform
treats ``updated_since`` as inclusive, so the boundary item is read again on the next pull;
that is harmless, because every write below is an idempotent upsert:

* ``publish.verification_history``: every (warning_id, state, updated_at) seen, once;
* ``publish.verifications``: the latest state per warning (a newer ``updated_at`` wins).

``feedback.rule_precision`` (a view, created here idempotently; it can move to a dbt model in
``dbt_project/`` later) gives per rule, district and month (the month of the business date
on which the warning was first raised):
warnings, pending, assigned, confirmed, dismissed, withdrawn,
precision = confirmed / (confirmed + dismissed), amount_at_risk and amount_confirmed (the
amount of the warning's latest revision). It is the measure of each rule's worth.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from ingest import push

log = logging.getLogger(__name__)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

DDL = """
create schema if not exists publish;
create schema if not exists feedback;
create table if not exists publish.verification_watermark (
    singleton     boolean primary key default true check (singleton),
    updated_since timestamptz not null,
    pulled_at     timestamptz not null default now()
);
create table if not exists publish.verifications (
    warning_id text primary key,
    state      text not null check (state in ('pending', 'assigned', 'confirmed', 'dismissed')),
    note       text,
    updated_at timestamptz not null,
    pulled_at  timestamptz not null default now()
);
create table if not exists publish.verification_history (
    warning_id text not null,
    state      text not null,
    updated_at timestamptz not null,
    note       text,
    pulled_at  timestamptz not null default now(),
    primary key (warning_id, updated_at, state)
);
create or replace view feedback.rule_precision as
with latest as (
    select distinct on (warning_id) warning_id, rule, district_code, status, amount_at_risk
    from publish.warning_revisions
    order by warning_id, revision desc
),
raised as (
    select warning_id, min(business_date) as first_business_date
    from publish.warning_revisions group by warning_id
)
select
    l.rule,
    l.district_code,
    date_trunc('month', r.first_business_date)::date as month,
    count(*)::integer as warnings,
    count(*) filter (where v.state = 'pending')::integer as pending,
    count(*) filter (where v.state = 'assigned')::integer as assigned,
    count(*) filter (where v.state = 'confirmed')::integer as confirmed,
    count(*) filter (where v.state = 'dismissed')::integer as dismissed,
    count(*) filter (where l.status = 'withdrawn')::integer as withdrawn,
    round(count(*) filter (where v.state = 'confirmed')::numeric
          / nullif(count(*) filter (where v.state in ('confirmed', 'dismissed')), 0), 4) as precision,
    coalesce(sum(l.amount_at_risk), 0)::numeric(18,2) as amount_at_risk,
    coalesce(sum(l.amount_at_risk) filter (where v.state = 'confirmed'), 0)::numeric(18,2) as amount_confirmed
from publish.verifications v
join latest l using (warning_id)
join raised r using (warning_id)
group by 1, 2, 3;
"""


def ensure_tables(conn: psycopg.Connection) -> None:
    from ingest import publish

    publish.ensure_tables(conn)
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('minzheng.publish_ddl'))")
        conn.execute(DDL)


@dataclass
class PullSummary:
    since: str
    items: int = 0
    changed: int = 0
    watermark: str = ""


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def pull(conn: psycopg.Connection, client: push.PlatformClient, page: int = 500,
         flush_every: int = 1000) -> PullSummary:
    """Pull outcomes changed since the watermark; the watermark moves as rows are committed."""
    ensure_tables(conn)
    row = conn.execute("select updated_since from publish.verification_watermark").fetchone()
    since = row[0] if row else EPOCH
    summary = PullSummary(since=since.isoformat(), watermark=since.isoformat())
    buffer: list[dict] = []

    def flush() -> None:
        if not buffer:
            return
        mark = max(_parse(i["updated_at"]) for i in buffer)
        with conn.transaction():
            args = ([i["warning_id"] for i in buffer], [i["state"] for i in buffer],
                    [_parse(i["updated_at"]) for i in buffer], [i.get("note") for i in buffer])
            conn.execute(
                """insert into publish.verification_history (warning_id, state, updated_at, note)
                   select * from unnest(%s::text[], %s::text[], %s::timestamptz[], %s::text[])
                   on conflict do nothing""", args)
            summary.changed += conn.execute(
                """insert into publish.verifications (warning_id, state, updated_at, note)
                   select distinct on (w) w, s, u, n
                   from unnest(%s::text[], %s::text[], %s::timestamptz[], %s::text[]) as t(w, s, u, n)
                   order by w, u desc
                   on conflict (warning_id) do update set state = excluded.state, note = excluded.note,
                       updated_at = excluded.updated_at, pulled_at = now()
                   where publish.verifications.updated_at < excluded.updated_at
                      or (publish.verifications.updated_at = excluded.updated_at
                          and publish.verifications.state is distinct from excluded.state)""", args).rowcount
            conn.execute(
                """insert into publish.verification_watermark (updated_since) values (%s)
                   on conflict (singleton) do update
                   set updated_since = greatest(publish.verification_watermark.updated_since,
                                                excluded.updated_since), pulled_at = now()""", (mark,))
        summary.watermark = max(summary.watermark, mark.isoformat(), key=lambda s: _parse(s))
        buffer.clear()

    for item in client.iter_verifications(since, page_size=page):
        buffer.append(item)
        summary.items += 1
        if len(buffer) >= flush_every:
            flush()
    flush()
    log.info("verifications: %s item(s) read since %s, %s change(s); watermark now %s",
             summary.items, summary.since, summary.changed, summary.watermark)
    return summary
