"""The daily pipeline's steps, one function per DAG task; the DAG only wires them.

Business date D is the day whose changes a run carries (delivery.md); every step is
idempotent for D, so a rerun or a backfill over a range leaves the same warehouse.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from ingest import config, migrate
from ingest.bizdb import connect_source, pull_table
from ingest.catalogue import load_catalogue
from ingest.db import connect
from ingest.files import load_file_deliveries
from ingest.ledger import Outcome
from ingest.partner_api import PartnerApiClient, load_api_deliveries
from ingest.warehouse import ensure_schema

log = logging.getLogger(__name__)

RUNS_DDL = """
create table if not exists meta.warehouse (
    singleton          boolean primary key default true check (singleton),
    first_business_date date not null
);
"""


def prepare(business_date: date) -> date:
    """Create the warehouse's tables if missing; remember the first business date ever run."""
    with connect(config.settings().warehouse_dsn) as conn:
        ensure_schema(conn)
        conn.execute(RUNS_DDL)
        migrate.apply(conn)  # roles, grants, audit and reporting views (ingest/migrations/)
        conn.execute(
            "insert into meta.warehouse (first_business_date) values (%s) on conflict do nothing",
            (business_date,),
        )
        return first_business_date(conn)


def first_business_date(conn) -> date:  # type: ignore[no-untyped-def]
    row = conn.execute("select first_business_date from meta.warehouse").fetchone()
    return row[0]


def _summarise(outcomes: list[Outcome]) -> list[dict]:
    failures = [o for o in outcomes if o.status == "rejected"]
    for o in failures:
        log.warning("%s/%s %s seq %s rejected: %s", o.unit, o.feed, o.business_date, o.sequence, o.reason)
    return [o.as_dict() for o in outcomes if o.status != "seen"]


def ingest_files(unit: str, feed: str, business_date: date | None = None) -> list[dict]:
    """Load every complete delivery of the unit; with the run's date, first wait (bounded,
    ingest/lateness.py) for today's delivery, then record what is overdue as late/incomplete."""
    from ingest import lateness

    s = config.settings()
    landing = Path(s.need("landing_dir"))
    if not landing.is_dir():
        raise config.ConfigError(f"LANDING_DIR {landing} is not a folder")
    delivery = load_catalogue().delivery(unit, feed)
    with connect(s.warehouse_dsn) as conn:
        if business_date is not None:
            lateness.wait_for_delivery(landing, delivery, business_date, conn=conn)
        outcomes = load_file_deliveries(conn, landing, delivery)
        if business_date is not None:
            outcomes += lateness.record_overdue(conn, delivery, first_business_date(conn), business_date,
                                                landing=landing)
        return _summarise(outcomes)


def ingest_api(unit: str, feed: str, business_date: date) -> list[dict]:
    s = config.settings()
    client = PartnerApiClient(s.need("partner_api_url"), s.need("partner_api_token"))
    delivery = load_catalogue().delivery(unit, feed)
    with connect(s.warehouse_dsn) as conn:
        from ingest import lateness

        first = first_business_date(conn)
        outcomes = load_api_deliveries(conn, client, delivery, first, business_date)
        outcomes += lateness.record_overdue(conn, delivery, first, business_date)
        return _summarise(outcomes)


def ingest_db(feed: str, business_date: date) -> list[dict]:
    s = config.settings()
    delivery = load_catalogue().delivery("MZ", feed)
    with connect(s.warehouse_dsn) as conn, connect_source(s.need("mz_source_dsn")) as source:
        return _summarise([pull_table(conn, source, delivery, business_date)])


def build_models(business_date: str) -> None:
    from ingest import transform

    transform.build(config.settings().warehouse_dsn, date.fromisoformat(business_date))


def quality_gate(business_date: str) -> str:
    """Every Soda contract layer (landing, person, marts; ingest/gate.py): warn-level findings are
    stored in meta.gate_results and reported; a fail-level one in any layer stops the push."""
    from ingest import gate

    report = gate.require_all(config.settings().warehouse_dsn, date.fromisoformat(business_date))
    return report.message()


def publish(business_date: str) -> dict:
    """Revise, let the circuit breaker hold rules that jumped (ingest/breaker.py), push the rest."""
    from ingest import breaker, push
    from ingest import publish as pub

    s = config.settings()
    client = push.PlatformClient(s.need("platform_url"), s.need("platform_token"), s.need("platform_secret"))
    day = date.fromisoformat(business_date)
    with connect(s.warehouse_dsn) as conn:
        revised = pub.revise(conn, day)
        checks = breaker.check(conn, day)
        pushed = pub.push_pending(conn, client)
        still_held = breaker.held(conn)
    result = {"new_or_changed": revised.new_or_changed, "withdrawn": revised.withdrawn, **pushed.__dict__,
              "held": [{"rule": r, "business_date": d.isoformat(), "rows": n} for r, d, n in still_held],
              "tripped": [c.message(day) for c in checks if c.tripped and not c.released]}
    if pushed.rejected:
        log.error("platform rejected %s warning(s): %s", pushed.rejected, "; ".join(pushed.rejections))
    return result


def pull_verifications(business_date: str) -> dict:
    """Read the verifiers' outcomes back from the platform into publish.verifications and the
    precision view feedback.rule_precision (ingest/feedback.py)."""
    from ingest import feedback, push

    s = config.settings()
    client = push.PlatformClient(s.need("platform_url"), s.need("platform_token"), s.need("platform_secret"))
    with connect(s.warehouse_dsn) as conn:
        return feedback.pull(conn, client).__dict__


def summary(business_date: str) -> str:
    from ingest import report

    with connect(config.settings().warehouse_dsn) as conn:
        return report.day_summary(conn, date.fromisoformat(business_date))
