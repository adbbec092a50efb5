"""Warehouse connections. Autocommit, so each ``conn.transaction()`` block is a real transaction."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

import psycopg


def connect(dsn: str) -> psycopg.Connection:
    return psycopg.connect(dsn, autocommit=True, application_name="minzheng-sentinel")


def dsn_parts(dsn: str) -> dict[str, str]:
    """Split a libpq URI into the WH_* variables the dbt profile and Soda datasource read."""
    url = urlparse(dsn)
    if url.scheme not in ("postgresql", "postgres"):
        raise ValueError("WAREHOUSE_DSN must be a postgresql:// URI")
    return {
        "WH_HOST": url.hostname or "127.0.0.1",
        "WH_PORT": str(url.port or 5432),
        "WH_USER": unquote(url.username or "postgres"),
        "WH_PASSWORD": unquote(url.password or ""),
        "WH_DBNAME": (url.path or "/").lstrip("/") or "postgres",
    }
