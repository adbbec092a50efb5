"""The warehouse's own migrations: roles, grants, row-level security, the audit and reporting
views, audit-trail columns (``ingest/migrations/NNN_name.sql``, applied in order, once each).

Applied ones are recorded in ``meta.schema_migrations`` (version, name, checksum, when, by whom);
running again applies only the new ones. ``pipeline.prepare`` calls :func:`apply` at every run;
by hand:

    python -m ingest.migrate [--dsn DSN]                 apply what is missing (WAREHOUSE_DSN)
    python -m ingest.migrate status                      list applied and pending migrations
    python -m ingest.migrate add-auditor LOGIN DISTRICT…  a login role in mz_auditor, granted districts
    python -m ingest.migrate add-bi-login LOGIN          a login role in mz_bi_reader
    python -m ingest.migrate add-login LOGIN ROLE        a login role in mz_loader / mz_transformer

Passwords for new logins are read from the environment variable named by ``--password-env``
(none: no password, for trust/peer/certificate authentication). Creating roles needs CREATEROLE
(the warehouse owner has it). Roles are cluster-wide; the district mapping is per database.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
GROUP_ROLES = ("mz_loader", "mz_transformer", "mz_auditor", "mz_bi_reader")

LEDGER_DDL = """
create schema if not exists meta;
create table if not exists meta.schema_migrations (
    version     text primary key,
    name        text not null,
    checksum    text not null,
    applied_at  timestamptz not null default now(),
    applied_by  text not null default current_user
);
"""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        m = re.fullmatch(r"(\d{3})_(\w+)\.sql", path.name)
        if not m:
            raise ValueError(f"migration file {path.name} is not named NNN_name.sql")
        found.append(Migration(m.group(1), m.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"two migrations share a version in {directory}")
    return found


def _prerequisites(conn: psycopg.Connection) -> None:
    """The tables the migrations grant on or alter, created as their owners' code does."""
    from ingest import breaker, feedback, gate, publish
    from ingest.pipeline import RUNS_DDL
    from ingest.warehouse import ensure_schema

    ensure_schema(conn)
    publish.ensure_tables(conn)
    feedback.ensure_tables(conn)
    breaker.ensure_tables(conn)
    with conn.transaction():
        conn.execute(RUNS_DDL)
        conn.execute(gate.RESULTS_DDL)


def applied(conn: psycopg.Connection) -> dict[str, str]:
    conn.execute(LEDGER_DDL)
    return dict(conn.execute("select version, checksum from meta.schema_migrations").fetchall())


def apply(conn: psycopg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the migrations not applied yet, each in its own transaction; return their versions.

    Cheap when the database is current (one query). A changed file of an applied migration is
    refused: write a new migration instead."""
    todo = migrations(directory)
    done = applied(conn)
    for m in todo:
        if m.version in done and done[m.version] != m.checksum:
            raise RuntimeError(f"migration {m.path.name} changed after it was applied; add a new one")
    pending = [m for m in todo if m.version not in done]
    if not pending:
        return []
    _prerequisites(conn)
    ran = []
    for m in pending:
        with conn.transaction():
            conn.execute("select pg_advisory_xact_lock(hashtext('minzheng.migrate'))")
            if conn.execute("select 1 from meta.schema_migrations where version = %s", (m.version,)).fetchone():
                continue  # applied meanwhile by a concurrent run
            conn.execute(m.text)
            conn.execute(
                "insert into meta.schema_migrations (version, name, checksum) values (%s, %s, %s)",
                (m.version, m.name, m.checksum),
            )
        ran.append(m.version)
    return ran


def _create_login(conn: psycopg.Connection, login: str, group: str, password: str | None) -> None:
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (login,)).fetchone()
    verb = "alter" if exists else "create"
    stmt = sql.SQL("{} role {} login").format(sql.SQL(verb), sql.Identifier(login))
    if password:
        stmt += sql.SQL(" password {}").format(sql.Literal(password))
    conn.execute(stmt)
    conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(group), sql.Identifier(login)))


def add_auditor(conn: psycopg.Connection, login: str, districts: list[str], password: str | None = None) -> None:
    """A login role in mz_auditor that sees the warnings of these districts (added to any it had)."""
    with conn.transaction():
        _create_login(conn, login, "mz_auditor", password)
        for district in districts:
            conn.execute(
                "insert into meta.auditor_districts (login, district_code) values (%s, %s) on conflict do nothing",
                (login, district),
            )


def remove_auditor_district(conn: psycopg.Connection, login: str, district: str) -> None:
    conn.execute("delete from meta.auditor_districts where login = %s and district_code = %s", (login, district))


def add_login(conn: psycopg.Connection, login: str, group: str, password: str | None = None) -> None:
    if group not in GROUP_ROLES:
        raise ValueError(f"{group} is not one of {', '.join(GROUP_ROLES)}")
    with conn.transaction():
        _create_login(conn, login, group, password)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.migrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dsn", default=None, help="default: WAREHOUSE_DSN")
    parser.add_argument("--password-env", default=None, help="env variable holding the new login's password")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("apply", help="apply pending migrations (the default)")
    sub.add_parser("status", help="list applied and pending migrations")
    aud = sub.add_parser("add-auditor", help="create an auditor login and grant it districts")
    aud.add_argument("login")
    aud.add_argument("districts", nargs="+")
    bi = sub.add_parser("add-bi-login", help="create a login for the BI tool (reporting only)")
    bi.add_argument("login")
    other = sub.add_parser("add-login", help="create a login in mz_loader or mz_transformer")
    other.add_argument("login")
    other.add_argument("role", choices=["mz_loader", "mz_transformer"])
    args = parser.parse_args(argv)

    dsn = args.dsn or os.environ.get("WAREHOUSE_DSN")
    if not dsn:
        parser.error("no --dsn and no WAREHOUSE_DSN")
    password = os.environ.get(args.password_env) if args.password_env else None
    from ingest.db import connect

    with connect(dsn) as conn:
        if args.command in (None, "apply"):
            ran = apply(conn)
            print(f"applied {', '.join(ran)}" if ran else "schema current: nothing to apply")
            return 0
        if args.command == "status":
            done = applied(conn)
            for m in migrations():
                state = "pending" if m.version not in done else "applied" if done[m.version] == m.checksum \
                    else "CHANGED after it was applied"
                print(f"{m.version} {m.name}: {state}")
            return 0
        apply(conn)  # the roles and mapping table must exist before logins are added
        if args.command == "add-auditor":
            add_auditor(conn, args.login, args.districts, password)
            print(f"auditor {args.login}: districts {', '.join(args.districts)}")
        elif args.command == "add-bi-login":
            add_login(conn, args.login, "mz_bi_reader", password)
            print(f"BI login {args.login} (reporting only)")
        elif args.command == "add-login":
            add_login(conn, args.login, args.role, password)
            print(f"login {args.login} in {args.role}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
