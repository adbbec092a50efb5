"""The SQL identity functions (dbt_project/macros/identity.sql) agree with ingest.identity.

The DDL is taken from the one copy in the dbt macro, rendered with plain jinja2 (no dbt), and
installed in a throw-away database of the project's local cluster. Then the spec vectors of the
unit tests and ~5,000 seeded dirty numbers go through both implementations.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jinja2
import psycopg
import pytest
from psycopg import sql

from ingest.identity import SEPARATORS, check_char, normalize_id_number
from ingest.localpg import LocalCluster
from tests.unit.test_identity import VECTORS

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "identity.sql"
FUNCTIONS = ("id_check_char", "id_check_char_of", "id_number_clean", "id_number_parse",
             "normalize_id_number", "id_number_issue")


def identity_macros() -> Any:
    """The macro file as a jinja2 module: its macros are attributes (no dbt context needed)."""
    return jinja2.Environment().from_string(MACROS.read_text(encoding="utf-8")).module


def identity_ddl() -> str:
    return str(identity_macros().create_identity_functions())


@pytest.fixture(scope="module")
def identity_db() -> Iterator[psycopg.Connection]:
    """A dedicated database with the identity functions installed; dropped afterwards."""
    cluster = LocalCluster()
    cluster.start()
    name = f"test_identity_{uuid.uuid4().hex[:10]}"
    dsn = cluster.create_database(name)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(identity_ddl())
            conn.execute(identity_ddl())  # idempotent: every dbt run's on-run-start repeats it
            yield conn
    finally:
        with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


Case = tuple[str | None, date | None]


def sql_results(conn: psycopg.Connection, cases: list[Case]) -> list[tuple[str | None, str | None]]:
    """(normalised, issue) from SQL for every case, in order, in one round trip."""
    rows = conn.execute(
        """
        select util.normalize_id_number(raw, as_of), util.id_number_issue(raw, as_of)
        from unnest(%s::text[], %s::date[]) with ordinality as v(raw, as_of, i)
        order by i
        """,
        ([raw for raw, _ in cases], [as_of for _, as_of in cases]),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def assert_agree(conn: psycopg.Connection, cases: list[Case]) -> None:
    got = sql_results(conn, cases)
    mismatches = [
        (raw, as_of, py, sq)
        for (raw, as_of), sq in zip(cases, got, strict=True)
        if (py := normalize_id_number(raw, as_of)) != sq
    ]
    assert not mismatches, "python vs sql:\n" + "\n".join(map(repr, mismatches[:25]))


# --- seeded dirty numbers -----------------------------------------------------------------

AREAS = ["210102", "210103", "210104", "210105", "210106", "210111", "210112", "210113", "210114",
         "210115", "210123", "210124", "210181", "210202", "210302", "110105", "370102"]
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def random_id(rng: random.Random, first: date = date(1900, 1, 1), last: date = date(2024, 6, 30)) -> str:
    birth = first + timedelta(days=rng.randrange((last - first).days + 1))
    first17 = f"{rng.choice(AREAS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_char(first17)


def with_separators(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(SEPARATORS) * rng.randint(1, 2))
    return "".join(chars)


def dirty_case(rng: random.Random) -> Case:
    as_of = rng.choice([None, None, date(2024, 6, 30), date(1990, 1, 1), date(1880, 1, 1)])
    id18 = random_id(rng)
    kind = rng.randrange(14)
    if kind == 0:
        raw = id18
    elif kind == 1:  # mutated check char
        raw = id18[:17] + rng.choice([c for c in "0123456789Xx" if c != id18[17]])
    elif kind == 2:  # lower-case x (search a number whose check char is X)
        while not id18.endswith("X"):
            id18 = random_id(rng)
        raw = id18[:17] + "x"
    elif kind == 3:  # full-width, all or some
        raw = "".join(c.translate(FULLWIDTH) if rng.random() < 0.7 else c for c in id18)
        raw = raw[:-1] + "ｘ" if raw[-1] == "Ｘ" and rng.random() < 0.5 else raw
    elif kind == 4:  # 15-digit legacy
        id18 = random_id(rng, date(1900, 1, 1), date(1999, 12, 31))
        raw = id18[:6] + id18[8:17]
    elif kind == 5:
        raw = with_separators(rng, id18)
    elif kind == 6:
        raw = rng.choice(["'{}", '="{}"', " '{}", ' ="{}" ', "''{}", '"{}"', '="{}', "{}'"]).format(id18)
    elif kind == 7:  # spreadsheet float
        raw = rng.choice(["{:.5f}E+17", "{:.5f}e+17", "{:.11f}E17", "{:.2f}E+17"]).format(int(id18[:17]) / 1e16)
    elif kind == 8:  # impossible or out-of-range dates with a correct check char
        y, m, d = rng.choice([(1949, 2, 30), (1900, 2, 29), (2023, 2, 29), (2000, 2, 29), (1980, 4, 31),
                              (1980, 13, 1), (1980, 0, 10), (1980, 1, 0), (1879, 12, 31), (1880, 1, 1),
                              (2024, 7, 1), (2030, 1, 1), (1989, 12, 31), (1990, 1, 2)])
        first17 = f"{id18[:6]}{y:04d}{m:02d}{d:02d}{id18[14:17]}"
        raw = first17 + check_char(first17)
    elif kind == 9:  # wrong length
        raw = id18[: rng.choice([0, 1, 14, 16, 17])] if rng.random() < 0.5 else id18 + rng.choice("0X5")
    elif kind == 10:  # one character replaced by anything
        pos = rng.randrange(18)
        raw = id18[:pos] + rng.choice("0123456789XxaZ.,+-=' ＡＸ０９\u3000") + id18[pos + 1 :]
    else:  # garbage and combinations
        alphabet = "0123456789XxEe.,+-=\"' \tabc０１２９Ｘｘ\u3000\u00a0\u2014"
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        if kind == 12:
            raw = with_separators(rng, id18.translate(FULLWIDTH) if rng.random() < 0.5 else id18.lower())
        if kind == 13:
            raw = rng.choice(["'{}", '="{}"']).format(with_separators(rng, id18[:6] + id18[8:17]))
    return raw, as_of


@pytest.fixture(scope="module")
def dirty_cases() -> list[Case]:
    rng = random.Random(20240630)
    return [dirty_case(rng) for _ in range(5000)]


# --- tests ---------------------------------------------------------------------------------


def test_macros_render_without_dbt() -> None:
    macros = identity_macros()
    assert str(macros.normalize_id_number("t.id_number")) == "util.normalize_id_number((t.id_number)::text)"
    assert (
        str(macros.id_number_issue("id_number", as_of="_business_date"))
        == "util.id_number_issue((id_number)::text, (_business_date)::date)"
    )
    ddl = identity_ddl()
    for function in FUNCTIONS:
        assert f"create or replace function util.{function}(" in ddl
    assert "{{" not in ddl and "{%" not in ddl


def test_functions_are_immutable_and_parallel_safe(identity_db: psycopg.Connection) -> None:
    rows = identity_db.execute(
        "select proname, provolatile, proparallel from pg_proc"
        " where pronamespace = 'util'::regnamespace order by proname"
    ).fetchall()
    assert sorted(name for name, *_ in rows) == sorted(FUNCTIONS)
    assert {(volatile, parallel) for _, volatile, parallel in rows} == {("i", "s")}


def test_spec_vectors_agree(identity_db: psycopg.Connection) -> None:
    cases = [(raw, as_of) for raw, as_of, *_ in VECTORS]
    assert sql_results(identity_db, cases) == [(expected, reason) for *_, expected, reason in VECTORS]


def test_spec_vectors_agree_as_literals(identity_db: psycopg.Connection) -> None:
    """Constant arguments are folded at plan time: no guarded branch may be evaluated early."""
    for raw, as_of, expected, reason in VECTORS:
        query = sql.SQL("select util.normalize_id_number({raw}, {as_of}), util.id_number_issue({raw}, {as_of})")
        row = identity_db.execute(query.format(raw=sql.Literal(raw), as_of=sql.Literal(as_of))).fetchone()
        assert row == (expected, reason), raw


def test_seeded_dirty_numbers_agree(identity_db: psycopg.Connection, dirty_cases: list[Case]) -> None:
    assert_agree(identity_db, dirty_cases)


def test_seeded_dirty_numbers_reach_every_outcome(dirty_cases: list[Case]) -> None:
    outcomes = Counter(normalize_id_number(raw, as_of)[1] for raw, as_of in dirty_cases)
    assert set(outcomes) == {None, "empty", "scientific_notation", "bad_characters", "bad_length",
                             "bad_birth_date", "bad_check_digit"}
    assert min(outcomes.values()) >= 20, outcomes


def test_every_separator_is_dropped_in_sql(identity_db: psycopg.Connection) -> None:
    cases: list[Case] = [(f"{sep}210105{sep}1949{sep}1231{sep}0023{sep}", None) for sep in SEPARATORS]
    assert sql_results(identity_db, cases) == [("210105194912310023", None)] * len(SEPARATORS)


def test_check_char_agrees(identity_db: psycopg.Connection) -> None:
    rng = random.Random(7)
    first17s = [random_id(rng)[:17] for _ in range(1000)] + ["00000000000000000", "99999999999999999"]
    got = identity_db.execute("select util.id_check_char(f) from unnest(%s::text[]) f", (first17s,)).fetchall()
    assert [g for (g,) in got] == [check_char(f) for f in first17s]
    for bad in ["", "2101051949123100", "210105194912310023", "2101051949123100X", "２" * 17, None]:
        assert identity_db.execute("select util.id_check_char(%s)", (bad,)).fetchone() == (None,)


def test_models_macros_run(identity_db: psycopg.Connection) -> None:
    """What a staging model renders: a varchar column and a timestamp business date are accepted."""
    macros = identity_macros()
    query = (
        f"select {macros.normalize_id_number('v.raw', as_of='v.business_date')},"
        f" {macros.id_number_issue('v.raw', as_of='v.business_date')}"
        " from (values ('11010519491231002x'::varchar(40), timestamp '2024-06-30 12:00'),"
        "              ('210106198001011238', timestamp '1979-12-31 23:59')) v(raw, business_date)"
    )
    assert identity_db.execute(query).fetchall() == [("11010519491231002X", None), (None, "bad_birth_date")]
