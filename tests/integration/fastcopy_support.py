"""Helpers of the COPY fast path tests: two warehouses (one per CSV loader) and a comparison of
everything a file load writes."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from ingest.db import connect
from ingest.warehouse import ensure_schema

# What differs between two warehouses fed the same deliveries: serial ids and load times.
SKIP = {"delivery_id", "quarantine_id", "superseded_by", "_delivery_id", "seen_at", "loaded_at", "_loaded_at"}


@contextmanager
def warehouse_pair(cluster) -> Iterator[dict[str, psycopg.Connection]]:  # type: ignore[no-untyped-def]
    """{"copy": conn, "python": conn}: two fresh warehouses (databases named h8f_…), dropped after."""
    names = {k: f"h8f_{k}_{uuid.uuid4().hex[:8]}" for k in ("copy", "python")}
    conns = {}
    try:
        for k, name in names.items():
            conns[k] = connect(cluster.create_database(name))
            ensure_schema(conns[k])
        yield conns
    finally:
        for c in conns.values():
            c.close()
        with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as admin:
            for name in names.values():
                admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def snapshot(conn: psycopg.Connection) -> dict[str, Counter]:
    """Every row of the ledger, the quarantine and every raw table, as text, keyed by the
    delivery's ledger key instead of its serial id (a multiset: EXCEPT ALL both ways)."""
    out: dict[str, Counter] = {}
    key = "(select concat_ws('|', unit, feed, business_date, sequence) from meta.deliveries d where d.delivery_id = t.{})"
    tables = conn.execute("""select table_schema, table_name from information_schema.tables
                             where table_schema in ('meta', 'raw') and table_type = 'BASE TABLE'
                               and table_name not in ('feed_catalogue', 'watermarks')""").fetchall()
    for schema, table in tables:
        cols = [c for (c,) in conn.execute(
            """select column_name from information_schema.columns where table_schema = %s and table_name = %s
               order by column_name""", (schema, table)).fetchall()]
        exprs = [sql.SQL("t.{}::text").format(sql.Identifier(c)) for c in cols if c not in SKIP]
        for ref in ("_delivery_id", "delivery_id", "superseded_by"):
            if ref in cols:
                exprs.append(sql.SQL(key).format(sql.Identifier(ref)))
        rows = conn.execute(sql.SQL("select {} from {}.{} t").format(
            sql.SQL(", ").join(exprs), sql.Identifier(schema), sql.Identifier(table))).fetchall()
        if rows:
            out[f"{schema}.{table}"] = Counter(rows)
    return out


def assert_same(a: dict[str, Counter], b: dict[str, Counter]) -> None:
    assert set(a) == set(b), f"tables with rows differ: {sorted(set(a) ^ set(b))}"
    for table in sorted(a):
        only_a, only_b = a[table] - b[table], b[table] - a[table]
        assert not only_a and not only_b, (
            f"{table}: {sum(only_a.values())} rows only via COPY, {sum(only_b.values())} only via Python; "
            f"e.g. {list(only_a)[:2]} vs {list(only_b)[:2]}")
