"""From the warning mart to the platform: revisions, an outbox, and exactly-once batches.

1. ``revise``: compare ``warnings.fct_warnings`` with the latest revision of each warning.
   New → revision 1; period, months, amount or severity changed (or back after a withdrawal)
   → next revision; no longer raised → a ``withdrawn`` revision repeating the last active
   one. Evidence travels with a revision but a change of evidence alone makes none
   (warning-rules.md). Each new revision enters the outbox.
2. ``push``: pending outbox rows are cut into batches of at most 500, each batch's body is
   built once and stored *before* it is sent, so after any failure or kill the very same
   bytes are resent under the same batch id, which the platform answers as the first time.
   Every attempt is logged in ``publish.push_attempts``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import psycopg

from ingest import push

log = logging.getLogger(__name__)
BATCH_SIZE = 500

DDL = """
create schema if not exists publish;
create table if not exists publish.warning_revisions (
    warning_id        text not null,
    revision          integer not null,
    status            text not null check (status in ('active', 'withdrawn')),
    rule              text not null,
    rule_version      text not null,
    severity          text not null,
    program           text not null,
    case_ref          text not null,
    subject_type      text not null,
    subject           text not null,     -- id_number, or institution_id for W14c
    subject_name      text,
    district_code     text not null,
    period_start      date not null,
    period_end        date not null,
    months            integer not null,
    amount_at_risk    numeric(18,2) not null,
    handler_staff_id  text,
    approver_staff_id text,
    evidence          jsonb not null,
    business_date     date not null,
    created_at        timestamptz not null default now(),
    primary key (warning_id, revision)
);
create table if not exists publish.batches (
    batch_id      text primary key,
    body          bytea not null,
    warnings      integer not null,
    state         text not null default 'open'
                  check (state in ('open', 'acknowledged', 'rejected', 'conflict')),
    receipt       jsonb,
    created_at    timestamptz not null default now(),
    closed_at     timestamptz
);
create table if not exists publish.outbox (
    warning_id  text not null,
    revision    integer not null,
    state       text not null default 'pending'
                check (state in ('pending', 'held', 'batched', 'accepted', 'duplicate', 'stale', 'rejected')),
    batch_id    text references publish.batches (batch_id),
    detail      text,
    primary key (warning_id, revision),
    foreign key (warning_id, revision) references publish.warning_revisions (warning_id, revision)
);
create table if not exists publish.push_attempts (
    attempt_id   bigserial primary key,
    batch_id     text not null references publish.batches (batch_id),
    attempt      integer not null,
    status_code  integer,
    error        text,
    elapsed_s    double precision,
    at           timestamptz not null default now()
);
-- tables made by an earlier version keep their first check constraints: widen them once
do $$
begin
    if pg_get_constraintdef((select oid from pg_constraint where conname = 'outbox_state_check'
                             and conrelid = 'publish.outbox'::regclass)) not like '%held%' then
        alter table publish.outbox drop constraint outbox_state_check;
        alter table publish.outbox add constraint outbox_state_check check
            (state in ('pending', 'held', 'batched', 'accepted', 'duplicate', 'stale', 'rejected'));
    end if;
    if pg_get_constraintdef((select oid from pg_constraint where conname = 'batches_state_check'
                             and conrelid = 'publish.batches'::regclass)) not like '%conflict%' then
        alter table publish.batches drop constraint batches_state_check;
        alter table publish.batches add constraint batches_state_check check
            (state in ('open', 'acknowledged', 'rejected', 'conflict'));
    end if;
end $$;
"""

_CURRENT = """
with latest as (
    select distinct on (warning_id) * from publish.warning_revisions
    order by warning_id, revision desc
)
"""

REVISE_SQL = _CURRENT + """,
changes as (
    select f.*, coalesce(l.revision, 0) + 1 as next_revision
    from warnings.fct_warnings f
    left join latest l using (warning_id)
    where l.warning_id is null
       or l.status = 'withdrawn'
       or (l.period_start, l.period_end, l.months, l.amount_at_risk, l.severity)
          is distinct from (f.period_start, f.period_end, f.months, f.amount_at_risk, f.severity)
)
insert into publish.warning_revisions (
    warning_id, revision, status, rule, rule_version, severity, program, case_ref, subject_type,
    subject, subject_name, district_code, period_start, period_end, months, amount_at_risk,
    handler_staff_id, approver_staff_id, evidence, business_date)
select warning_id, next_revision, 'active', rule, rule_version, severity, program, case_ref, subject_type,
       subject, subject_name, district_code, period_start, period_end, months, amount_at_risk,
       handler_staff_id, approver_staff_id, evidence, %(business_date)s
from changes
returning warning_id, revision
"""

WITHDRAW_SQL = _CURRENT + """
insert into publish.warning_revisions (
    warning_id, revision, status, rule, rule_version, severity, program, case_ref, subject_type,
    subject, subject_name, district_code, period_start, period_end, months, amount_at_risk,
    handler_staff_id, approver_staff_id, evidence, business_date)
select l.warning_id, l.revision + 1, 'withdrawn', l.rule, l.rule_version, l.severity, l.program,
       l.case_ref, l.subject_type, l.subject, l.subject_name, l.district_code, l.period_start,
       l.period_end, l.months, l.amount_at_risk, l.handler_staff_id, l.approver_staff_id, l.evidence,
       %(business_date)s
from latest l
where l.status = 'active'
  and not exists (select 1 from warnings.fct_warnings f where f.warning_id = l.warning_id)
returning warning_id, revision
"""


def ensure_tables(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('minzheng.publish_ddl'))")
        conn.execute(DDL)


@dataclass
class RevisionSummary:
    new_or_changed: int
    withdrawn: int


def revise(conn: psycopg.Connection, business_date: date) -> RevisionSummary:
    ensure_tables(conn)
    with conn.transaction():
        conn.execute("lock table publish.warning_revisions in exclusive mode")
        changed = conn.execute(REVISE_SQL, {"business_date": business_date}).fetchall()
        withdrawn = conn.execute(WITHDRAW_SQL, {"business_date": business_date}).fetchall()
        rows = changed + withdrawn
        if rows:
            with conn.cursor().copy("copy publish.outbox (warning_id, revision) from stdin") as copy:
                for row in rows:
                    copy.write_row(row)
    return RevisionSummary(len(changed), len(withdrawn))


def warning_payload(row: dict) -> dict:
    """One revision as the platform's Warning schema wants it."""
    subject: dict = {"type": row["subject_type"]}
    if row["subject_type"] == "person":
        subject["id_number"] = row["subject"]
        if row["subject_name"]:
            subject["name"] = row["subject_name"]
    else:
        subject["institution_id"] = row["subject"]
    return {
        "warning_id": row["warning_id"],
        "revision": row["revision"],
        "status": row["status"],
        "rule": row["rule"],
        "rule_version": row["rule_version"],
        "severity": row["severity"],
        "program": row["program"],
        "case_ref": row["case_ref"],
        "subject": subject,
        "district_code": row["district_code"],
        "period_start": row["period_start"].isoformat(),
        "period_end": row["period_end"].isoformat(),
        "months": row["months"],
        "amount_at_risk": f"{row['amount_at_risk']:.2f}",
        "handler_staff_id": row["handler_staff_id"],
        "approver_staff_id": row["approver_staff_id"],
        "evidence": row["evidence"][:50],
    }


@dataclass
class PushSummary:
    batches: int = 0
    accepted: int = 0
    duplicates: int = 0
    stale: int = 0
    rejected: int = 0
    rejections: list[str] = field(default_factory=list)


def _build_batches(conn: psycopg.Connection) -> None:
    """Cut pending outbox rows into stored batches (committed before anything is sent)."""
    while True:
        with conn.transaction():
            rows = conn.execute(
                """select r.* from publish.outbox o
                   join publish.warning_revisions r using (warning_id, revision)
                   where o.state = 'pending'
                   order by r.warning_id, r.revision
                   limit %s for update of o""",
                (BATCH_SIZE,),
            ).fetchall()
            if not rows:
                return
            cols = [c.name for c in conn.execute("select * from publish.warning_revisions limit 0").description]
            warnings = [warning_payload(dict(zip(cols, r, strict=True))) for r in rows]
            refs = "\n".join(f"{w['warning_id']}:{w['revision']}" for w in warnings)
            batch_id = "mzb-" + hashlib.sha256(refs.encode()).hexdigest()[:40]
            body = push.build_batch(warnings, batch_id, datetime.now(UTC))
            conn.execute(
                """insert into publish.batches (batch_id, body, warnings) values (%s, %s, %s)
                   on conflict (batch_id) do update set state = 'open', closed_at = null""",
                (batch_id, body, len(warnings)),
            )
            conn.execute(
                """update publish.outbox set state = 'batched', batch_id = %s, detail = null
                   where (warning_id, revision) in (select * from unnest(%s::text[], %s::int[]))""",
                (batch_id, [w["warning_id"] for w in warnings], [w["revision"] for w in warnings]),
            )


def _record_receipt(conn: psycopg.Connection, batch_id: str, receipt: dict, summary: PushSummary) -> None:
    with conn.transaction():
        for state, key in (("accepted", "accepted"), ("duplicate", "duplicates"), ("stale", "stale")):
            refs = receipt.get(key) or []
            if refs:
                conn.execute(
                    """update publish.outbox set state = %s
                       where batch_id = %s and (warning_id, revision) in
                             (select * from unnest(%s::text[], %s::int[]))""",
                    (state, batch_id, [r["warning_id"] for r in refs], [r["revision"] for r in refs]),
                )
        conn.execute(
            """update publish.batches set state = 'acknowledged', receipt = %s, closed_at = now()
               where batch_id = %s""",
            (json.dumps(receipt), batch_id),
        )
    summary.accepted += len(receipt.get("accepted") or [])
    summary.duplicates += len(receipt.get("duplicates") or [])
    summary.stale += len(receipt.get("stale") or [])
    for ref in receipt.get("stale") or []:
        log.warning("platform holds a newer revision than %s r%s (stale)", ref["warning_id"], ref["revision"])


def _record_rejection(conn: psycopg.Connection, batch_id: str, exc: push.BatchRejected,
                      summary: PushSummary) -> None:
    """A 400 stored nothing: the named warnings are set aside with the platform's reasons and
    the rest go back to pending, to travel in a new batch (not resent blindly)."""
    details = {d.get("warning_id"): d.get("message", "") for d in (exc.details or []) if d.get("warning_id")}
    with conn.transaction():
        conn.execute(
            "update publish.batches set state = 'rejected', receipt = %s, closed_at = now() where batch_id = %s",
            (json.dumps({"error": str(exc), "details": exc.details}), batch_id),
        )
        named = 0
        if details:
            named = conn.execute(
                """update publish.outbox o set state = 'rejected', detail = d.message
                   from unnest(%s::text[], %s::text[]) as d(warning_id, message)
                   where o.batch_id = %s and o.warning_id = d.warning_id""",
                (list(details), list(details.values()), batch_id),
            ).rowcount
        if named:
            conn.execute(
                "update publish.outbox set state = 'pending', batch_id = null where batch_id = %s "
                "and state = 'batched'", (batch_id,),
            )
        else:  # refused as a whole (or naming none of its warnings): hold all of it for a person
            conn.execute(
                "update publish.outbox set state = 'rejected', detail = %s where batch_id = %s and state = 'batched'",
                (str(exc), batch_id),
            )
    summary.rejected += len(details) or 1
    summary.rejections.append(f"batch {batch_id}: {exc}")


class PublishConflict(RuntimeError):
    """409: the platform holds another body under a batch id of ours; a person must look."""


def _record_conflict(conn: psycopg.Connection, batch_id: str, exc: push.BatchConflict) -> None:
    """The body we stored for this id is not the one the platform took under it (the stored
    bytes were changed or the batch was rebuilt: our bug, never resent blindly). The batch is
    set ``conflict`` with the platform's answer; its warnings stay ``batched`` under it, so no
    other batch carries them until a person has compared both sides."""
    with conn.transaction():
        conn.execute(
            "update publish.batches set state = 'conflict', receipt = %s, closed_at = now() where batch_id = %s",
            (json.dumps({"error": str(exc), "body": exc.body}), batch_id),
        )
    message = (f"platform answered 409 for batch {batch_id}: it already holds another body under this id. "
               f"The batch is marked 'conflict' in publish.batches and its warnings stay with it; compare "
               f"publish.batches.body with what the platform holds (GET /api/v1/warnings/{{id}}) before "
               f"anything is resent")
    log.error(message)
    raise PublishConflict(message) from exc


def push_pending(conn: psycopg.Connection, client: push.PlatformClient) -> PushSummary:
    ensure_tables(conn)
    summary = PushSummary()
    for (batch_id,) in conn.execute("select batch_id from publish.batches where state = 'conflict'").fetchall():
        log.error("batch %s is still in conflict with the platform (409): its warnings wait for a person",
                  batch_id)
    while True:
        _build_batches(conn)
        open_batches = conn.execute(
            "select batch_id, body from publish.batches where state = 'open' order by created_at, batch_id"
        ).fetchall()
        if not open_batches:
            return summary
        for batch_id, body in open_batches:
            def on_attempt(n: int, status: int | None, error: str | None, elapsed: float,
                           _batch: str = batch_id) -> None:
                # committed at once: a process killed while backing off keeps its attempts
                _log_attempts(conn, [(_batch, n, status, error, elapsed)])

            try:
                receipt = client.send_batch(batch_id, bytes(body), on_attempt=on_attempt)
            except push.BatchRejected as exc:
                _record_rejection(conn, batch_id, exc, summary)
            except push.BatchConflict as exc:
                _record_conflict(conn, batch_id, exc)
            else:
                _record_receipt(conn, batch_id, receipt, summary)
            summary.batches += 1


def _log_attempts(conn: psycopg.Connection, attempts: list[tuple]) -> None:
    if not attempts:
        return
    with conn.transaction():
        for batch_id, n, status, error, elapsed in attempts:
            conn.execute(
                """insert into publish.push_attempts (batch_id, attempt, status_code, error, elapsed_s)
                   values (%s, %s, %s, %s, %s)""",
                (batch_id, n, status, error, elapsed),
            )
