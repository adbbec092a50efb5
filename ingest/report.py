"""What a run did, in words an operator reads first: deliveries, gate, warnings, pushes."""

from __future__ import annotations

from datetime import date

import psycopg


def _rows(conn: psycopg.Connection, query: str, *args: object) -> list[tuple]:
    try:
        with conn.transaction():
            return conn.execute(query, args).fetchall()
    except psycopg.errors.UndefinedTable:
        return []


def day_summary(conn: psycopg.Connection, business_date: date) -> str:
    lines = [f"minzheng-sentinel — business date {business_date}"]
    deliveries = _rows(conn, """
        select status, count(*), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0)
        from meta.deliveries group by status order by status""")
    lines.append("deliveries in the ledger (all dates):")
    for status, n, rows, quarantined in deliveries:
        lines.append(f"  {status:<11} {n:>5} deliveries  {rows:>10} rows  {quarantined:>6} quarantined")
    for unit, feed, bd, seq, reason in _rows(conn, """
            select unit, feed, business_date, sequence, reason from meta.deliveries
            where status = 'rejected' order by business_date, unit, feed"""):
        lines.append(f"  rejected: {unit}/{feed} {bd} seq {seq}: {reason}")
    gate = _rows(conn, """select contract, outcome, count(*) from meta.gate_results
                          where business_date = %s group by 1, 2 order by 1, 2""", business_date)
    lines.append("quality gate: " + (", ".join(f"{c} {o}={n}" for c, o, n in gate) or "not run"))
    lines.append("active warnings per rule:")
    for rule, n, amount in _rows(conn, """select rule, count(*), sum(amount_at_risk) from warnings.fct_warnings
                                          group by rule order by rule"""):
        lines.append(f"  {rule}: {n} warnings, {amount:,.2f} yuan at risk")
    outbox = _rows(conn, "select state, count(*) from publish.outbox group by state order by state")
    lines.append("platform outbox: " + (", ".join(f"{s}={n}" for s, n in outbox) or "empty"))
    lines.append("query: warnings.fct_warnings (current), publish.warning_revisions (history), "
                 "meta.deliveries (ledger), meta.quarantine, meta.gate_results")
    return "\n".join(lines)
