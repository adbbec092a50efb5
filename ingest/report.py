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
    lines.extend(freshness_lines(conn, business_date))
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
                 "meta.deliveries (ledger), meta.quarantine, meta.partner_freshness(_daily), meta.gate_results")
    return "\n".join(lines)


def _names(pairs: list[tuple], limit: int = 12) -> str:
    shown = [f"{u}/{f}" + (f" {d}" if d is not None else "") for u, f, d in pairs[:limit]]
    return ", ".join(shown) + (f" … (+{len(pairs) - limit})" if len(pairs) > limit else "")


def freshness_lines(conn: psycopg.Connection, business_date: date) -> list[str]:
    """Partner freshness (meta.partner_freshness): who is current, who is missing or late."""
    rows = _rows(conn, """
        select unit, feed, mode, last_business_date, missing_latest, expected_business_date
        from meta.partner_freshness order by unit, feed""")
    if not rows:
        return []
    expected = [r for r in rows if r[4] is not None]
    missing = [(u, f, e) for u, f, _, _, m, e in rows if m]
    lines = [f"partner freshness (meta.partner_freshness): {len(expected) - len(missing)}/{len(expected)} "
             f"file/api unit-feeds hold their latest expected delivery"]
    if missing:
        lines.append(f"  expected but missing: {_names(missing)}")
    late = _rows(conn, """
        select unit, feed, business_date, status, exists (
                   select 1 from meta.deliveries l where l.unit = d.unit and l.feed = d.feed
                     and l.business_date = d.business_date and l.status = 'loaded')
        from meta.deliveries d where status in ('late', 'incomplete') and business_date <= %s
        order by business_date, unit, feed""", business_date)
    still = [(u, f, d) for u, f, d, s, arrived in late if not arrived]
    arrived = [(u, f, d) for u, f, d, s, a in late if a]
    if still:
        lines.append(f"  late or incomplete, still not loaded: {_names(still)}")
    if arrived:
        lines.append(f"  arrived after the cut-off: {_names(arrived)}")
    today = _rows(conn, """
        select coalesce(sum(deliveries_loaded), 0), coalesce(sum(rows_loaded), 0),
               coalesce(sum(rows_quarantined), 0), coalesce(sum(deliveries_rejected), 0)
        from meta.partner_freshness_daily where business_date = %s""", business_date)
    if today:
        n, rows_in, quarantined, rejected = today[0]
        lines.append(f"  business date {business_date}: {n} deliveries loaded, {rows_in} rows, "
                     f"{quarantined} quarantined, {rejected} rejected")
    return lines
