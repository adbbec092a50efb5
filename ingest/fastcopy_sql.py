"""The SQL of the COPY fast path (ingest/fastcopy.py): staged text -> the raw table's types.

Only what values.py's compiled parsers accept on their fast paths is typed here, to the same
value; any other non-blank value, or an empty key, leaves its row to values.py ("deferred").
Regular expressions cost PostgreSQL about a microsecond a value, so the common cases avoid them:

- dates are looked up in a session table of their canonical spellings (ASCII digits in the
  feed's layout, valid in the calendar, years 1900-2100; other spellings are deferred);
- plain amounts and integers are typed by COPY itself: ``numeric_in`` / ``int4in`` of
  PostgreSQL 15 accept (after trimming ASCII whitespace) only what ``Decimal`` / ``int`` accept,
  to the same value, except NaN (deferred, and its file then goes the Python way); what they
  refuse stops the COPY and the file goes the Python way. PostgreSQL 16 also reads ``0x1F`` and
  ``1_000``, so there these columns are staged as text and checked by pattern;
- thousands-separated amounts (feeds with ``amount_format``) are checked by pattern;
- a text value whose first character is not whitespace is not blank, with no trimming; only
  the others pay for ``btrim`` with the set of characters ``str.strip`` removes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from ingest.catalogue import Column, Feed

# What Python's str.strip() strips (str.isspace): all at or below U+3000, none in 33..132.
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
STAGE = sql.Identifier("pg_temp", "ingest_csv_stage")

# date_format -> (to_char layout of the canonical spelling, whether it carries a day)
_DATE_LAYOUTS = {None: ("YYYY-MM-DD", True), "%Y-%m-%d": ("YYYY-MM-DD", True),
                 "%Y%m%d": ("YYYYMMDD", True), "%Y%m": ("YYYYMM", False), "%Y-%m": ("YYYY-MM", False)}
# Canonical spellings of these years are looked up; others are deferred to values.py.
_MAP_YEARS = (1900, 2100)
_PLAIN_AMOUNT = r"^[+-]?[0-9]{1,16}(\.[0-9]{1,2})?$"
_THOUSANDS_AMOUNT = r"^[+-]?[0-9]{1,3}(,[0-9]{3}){1,4}(\.[0-9]{1,2})?$"
_INTEGER = r"^[+-]?[0-9]{1,9}$"
_TYPED_COPY_BEFORE = 160000  # PostgreSQL 16 reads 0x1F and 1_000 as numbers; Decimal does not


def _date_map(conn: psycopg.Connection, layout: str, with_day: bool) -> sql.Identifier:
    """A session table: canonical spelling -> date (and whether it is a month's first day)."""
    name = f"ingest_dates_{layout.replace('-', '_').lower()}"
    table = sql.Identifier("pg_temp", name)
    if conn.execute("select to_regclass(%s)", (f"pg_temp.{name}",)).fetchone()[0]:
        return table
    step = "1 day" if with_day else "1 month"
    conn.execute(sql.SQL(
        "create temp table {t} (txt text primary key, d date not null, first bool not null);"
        " insert into {t} select to_char(d, {layout}), d, extract(day from d) = 1"
        " from generate_series({lo}::date, {hi}::date, {step}::interval) d; analyze {t}").format(
        t=table, layout=sql.Literal(layout), step=sql.Literal(step),
        lo=sql.Literal(f"{_MAP_YEARS[0]}-01-01"), hi=sql.Literal(f"{_MAP_YEARS[1]}-12-31")))
    return table


def typed_by_copy(column: Column, feed: Feed, server_version: int) -> bool:
    """Whether COPY types this column itself (see above)."""
    if server_version >= _TYPED_COPY_BEFORE:
        return False
    return column.type == "int" or (column.type == "numeric" and not feed.amount_format)


def stage_types(feed: Feed, header: list[str], server_version: int) -> list[str]:
    by_name = {c.name: c for c in feed.columns}
    out = []
    for h in header:
        c = by_name.get(h)
        out.append(c.pg_type if c is not None and typed_by_copy(c, feed, server_version) else "text")
    return out


@dataclass
class TypedSelect:
    joins: list[sql.Composable] = field(default_factory=list)
    values: list[sql.Composable] = field(default_factory=list)
    oks: list[sql.Composable] = field(default_factory=list)


def _not_blank(c: sql.Composable) -> sql.Composable:
    return sql.SQL("(ascii({c}) > 12288 or ascii({c}) between 33 and 132 or btrim({c}, {ws}) <> '')").format(
        c=c, ws=sql.Literal(WHITESPACE))


def typed_select(conn: psycopg.Connection, feed: Feed, header: list[str], server_version: int) -> TypedSelect:
    out = TypedSelect()
    key = set(feed.key)
    for i, column in enumerate(feed.columns):
        c = sql.SQL("s.{}").format(sql.Identifier(f"c{header.index(column.name)}"))
        is_key, kind = column.name in key, column.type
        if kind == "text":
            # a key's row is typed here only if the key is not blank (ok below): no second test
            out.values.append(c if is_key else sql.SQL("case when {} then {} end").format(_not_blank(c), c))
            ok: sql.Composable | None = sql.SQL("coalesce({}, false)").format(_not_blank(c)) if is_key else None
        elif kind in ("date", "month") and feed.date_format in _DATE_LAYOUTS:
            layout, with_day = _DATE_LAYOUTS[feed.date_format]
            alias = sql.Identifier(f"d{i}")
            out.joins.append(sql.SQL("left join {t} {a} on {a}.txt = {c}").format(
                t=_date_map(conn, layout, with_day), a=alias, c=c))
            found = sql.SQL("{a}.first" if kind == "month" and with_day else "{a}.d is not null").format(a=alias)
            out.values.append(sql.SQL("{}.d").format(alias))
            ok = found if is_key else sql.SQL("({c} is null or {f})").format(c=c, f=found)
        elif typed_by_copy(column, feed, server_version):
            out.values.append(c)
            fine = sql.SQL("{c} <> 'NaN'" if kind == "numeric" else "{c} is not null").format(c=c)
            ok = fine if is_key else (sql.SQL("({c} is null or {c} <> 'NaN')").format(c=c) if kind == "numeric"
                                      else None)
        elif kind in ("numeric", "int"):
            pattern = _INTEGER if kind == "int" else _PLAIN_AMOUNT
            fits = sql.SQL("{c} ~ {p}").format(c=c, p=sql.Literal(pattern))
            number = sql.SQL("{}::integer" if kind == "int" else "{}::numeric(18,2)").format(c)
            if kind == "numeric" and feed.amount_format:
                fits = sql.SQL("({} or {c} ~ {p})").format(fits, c=c, p=sql.Literal(_THOUSANDS_AMOUNT))
                number = sql.SQL("replace({}, ',', '')::numeric(18,2)").format(c)
            out.values.append(sql.SQL("case when {} then {} end").format(fits, number))
            fits = sql.SQL("coalesce({}, false)").format(fits)
            ok = fits if is_key else sql.SQL("({c} is null or {f})").format(c=c, f=fits)
        else:  # timestamptz, bool, a date layout without a fast parser: values.py does them all
            out.values.append(sql.SQL("null"))
            ok = sql.SQL("false") if is_key else sql.SQL("{} is null").format(c)
        if ok is not None:
            out.oks.append(ok)
    return out


def extra_json(feed: Feed, header: list[str]) -> sql.Composable:
    known = set(feed.column_names)
    extra = [(j, h) for j, h in enumerate(header) if h not in known]
    if not extra:
        return sql.SQL("null::jsonb")
    return sql.SQL("jsonb_build_object({})").format(sql.SQL(", ").join(
        sql.SQL("{}, coalesce(s.{}, '')").format(sql.Literal(h), sql.Identifier(f"c{j}")) for j, h in extra))
