"""The daily pipeline's steps, one function per DAG task; the DAG only wires them.

Business date D is the day whose changes a run carries (delivery.md); every step is
idempotent for D, so a rerun or a backfill over a range leaves the same warehouse.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from ingest import config
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


def ingest_files(unit: str, feed: str) -> list[dict]:
    s = config.settings()
    landing = Path(s.need("landing_dir"))
    if not landing.is_dir():
        raise config.ConfigError(f"LANDING_DIR {landing} is not a folder")
    delivery = load_catalogue().delivery(unit, feed)
    with connect(s.warehouse_dsn) as conn:
        return _summarise(load_file_deliveries(conn, landing, delivery))


def ingest_api(unit: str, feed: str, business_date: date) -> list[dict]:
    s = config.settings()
    client = PartnerApiClient(s.need("partner_api_url"), s.need("partner_api_token"))
    delivery = load_catalogue().delivery(unit, feed)
    with connect(s.warehouse_dsn) as conn:
        first = first_business_date(conn)
        return _summarise(load_api_deliveries(conn, client, delivery, first, business_date))


def ingest_db(feed: str, business_date: date) -> list[dict]:
    s = config.settings()
    delivery = load_catalogue().delivery("MZ", feed)
    with connect(s.warehouse_dsn) as conn, connect_source(s.need("mz_source_dsn")) as source:
        return _summarise([pull_table(conn, source, delivery, business_date)])


def build_models(business_date: str) -> None:
    from ingest import transform

    transform.build(config.settings().warehouse_dsn, date.fromisoformat(business_date))


def quality_gate(business_date: str) -> str:
    from ingest import gate

    result = gate.require(gate.SODA_DIR / "contracts" / "fct_warnings.yml",
                          config.settings().warehouse_dsn, date.fromisoformat(business_date))
    return result.message()


def publish(business_date: str) -> dict:
    from ingest import publish as pub
    from ingest import push

    s = config.settings()
    client = push.PlatformClient(s.need("platform_url"), s.need("platform_token"), s.need("platform_secret"))
    with connect(s.warehouse_dsn) as conn:
        revised = pub.revise(conn, date.fromisoformat(business_date))
        pushed = pub.push_pending(conn, client)
    result = {"new_or_changed": revised.new_or_changed, "withdrawn": revised.withdrawn, **pushed.__dict__}
    if pushed.rejected:
        log.error("platform rejected %s warning(s): %s", pushed.rejected, "; ".join(pushed.rejections))
    return result


def summary(business_date: str) -> str:
    from ingest import report

    with connect(config.settings().warehouse_dsn) as conn:
        return report.day_summary(conn, date.fromisoformat(business_date))
