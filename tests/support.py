"""Test helpers shared by several test modules: a stand-in for the warning mart's shape."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

FCT = """
create schema if not exists warnings;
create table warnings.fct_warnings (
    warning_id text, rule text, rule_version text, severity text, program text, case_ref text,
    subject text, subject_type text, subject_id_number text, subject_institution_id text,
    subject_name text, district_code text, period_start date, period_end date, months integer,
    amount_at_risk numeric(18,2), handler_staff_id text, approver_staff_id text, evidence jsonb)
"""


def wid(case_ref: str, subject: str, rule: str = "W01", program: str = "dibao") -> str:
    digest = hashlib.sha256(f"{rule}|{program}|{case_ref}|{subject}".encode()).hexdigest()
    return f"{rule}-{digest[:20]}"


def warning(n: int, *, amount: str = "905.00", months: int = 1, feed: str = "ga_death") -> dict:
    subject = f"2101051949123{n:05d}"
    return {
        "warning_id": wid(f"DB{n:06d}", subject), "rule": "W01", "rule_version": "2026-11-01",
        "severity": "high", "program": "dibao", "case_ref": f"DB{n:06d}", "subject": subject,
        "subject_type": "person", "subject_id_number": subject, "subject_institution_id": None,
        "subject_name": "张三", "district_code": "210105", "period_start": date(2026, 1, 1),
        "period_end": date(2026, months, 1), "months": months, "amount_at_risk": amount,
        "handler_staff_id": "S001", "approver_staff_id": "S002",
        "evidence": json.dumps([{"feed": feed, "record_key": f"公民身份号码={subject}"}]),
    }


def api_warning(n: int = 1, revision: int = 1, **overrides: Any) -> dict[str, Any]:
    """A warning as the platform API carries it, valid against the spec's Warning schema."""
    payload: dict[str, Any] = {
        "warning_id": f"W01-{n:020x}",
        "revision": revision,
        "status": "active",
        "rule": "W01",
        "rule_version": "2024-06-01",
        "severity": "high",
        "program": "dibao",
        "case_ref": f"DB2101050{n:06d}",
        "subject": {"type": "person", "id_number": "210105194912310023", "name": "张三"},
        "district_code": "210105",
        "period_start": "2024-01-01",
        "period_end": "2024-03-01",
        "months": 3,
        "amount_at_risk": "123.45",
        "evidence": [{"feed": "ga_death", "record_key": "公民身份号码=210105194912310023"}],
    }
    payload.update(overrides)
    return payload


def set_warnings(conn, rows: list[dict]) -> None:
    conn.execute("truncate warnings.fct_warnings")
    if rows:
        cols = list(rows[0])
        with conn.cursor().copy(f"copy warnings.fct_warnings ({', '.join(cols)}) from stdin") as copy:
            for r in rows:
                copy.write_row([r[c] for c in cols])


PLATFORM_TOKEN, PLATFORM_SECRET = "platform-token", "platform-secret"


def platform_client(server, cls=None, **kw):  # type: ignore[no-untyped-def]
    """A push client for the reference platform that never really sleeps between retries."""
    from ingest import push

    return (cls or push.PlatformClient)(server.base_url, PLATFORM_TOKEN, PLATFORM_SECRET,
                                        sleep=lambda s: None, **kw)
