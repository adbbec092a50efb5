"""CSV direct path: a file goes by one binary COPY straight into its raw table.

The stage path (ingest/fastcopy.py) copies a file into a temporary text table and types it with
one ``INSERT … SELECT``. PostgreSQL inserts those rows one at a time, while COPY inserts in
batches; and a text COPY into typed columns still spends most of its time parsing: rs_pension's
5.4 M-row history took 17 s of server time as CSV, about 10 s as ``FORMAT binary``. So Python
types the values here, as values.py would, and sends COPY's binary tuples, built block by block
by the loops of ingest/fastcopy_kernels.py (compiled by numba; no per-line Python):

- Structure, or the whole file takes the stage path (``NotDirect``): every line has the
  header's number of fields, a line holding a quote is RFC 4180 on one line with no delimiter
  inside quotes, a carriage return only ends a line and all lines end alike. So ``_line`` is
  the line number.
- Encoding: a GB18030 line holding a byte beyond ASCII is decoded here and sent as UTF-8 (the
  session's encoding), so no byte of a character can be taken for a delimiter; bytes not in the
  encoding send the file to the stage path.
- Text: as delivered, quotes undone; an unquoted empty cell is null.
- Dates and months: the feed's canonical layout, a year in 1900-2100 and a day of the calendar
  (the spellings the stage path looks up in its date maps, ingest/fastcopy_sql.py); a month
  given with its day must be a first day.
- Amounts and integers: the plain spellings the stage path types (``[+-]`` then up to 16
  digits and 2 decimals, or up to 9 digits), to the same value.

A line with any other value, an empty key or text of whitespace only is not sent but
*deferred*: the caller hands it to ``RawWriter.add`` after the COPY, which types or quarantines
it with values.py's own reason, as the Python path does. The load's own raw columns (delivery,
business date, sequence, file name) and the line number end every tuple.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from psycopg import sql

from ingest.catalogue import Delivery, Feed
from ingest.warehouse import raw_table

# date_format -> layout of the canonical spelling (a month's layout has no day)
_LAYOUTS = {None: "YYYY-MM-DD", "%Y-%m-%d": "YYYY-MM-DD", "%Y%m%d": "YYYYMMDD", "%Y%m": "YYYYMM",
            "%Y-%m": "YYYY-MM"}
_YEARS = (1900, 2100)
_AMOUNT_DIGITS, _AMOUNT_DECIMALS, _INT_DIGITS = 16, 2, 9  # numeric(18,2); integer

_PRINTABLE = np.zeros(256, dtype=bool)
_PRINTABLE[0x21:0x7F] = True
_PRINTABLE[0x22] = False  # a quote is CSV syntax, not content
# UTF-8 lead bytes of characters that are never whitespace: U+00C0-U+07FF, U+4000-U+FFFF and
# beyond (whitespace lives in U+0085, U+00A0, U+1680, U+2000-U+205F and U+3000)
_UTF8_SAFE_LEADS = np.zeros(256, dtype=bool)
_UTF8_SAFE_LEADS[0xC3:0xE0] = True
_UTF8_SAFE_LEADS[0xE4:0xF5] = True
_SURE_FIRST = _PRINTABLE | _UTF8_SAFE_LEADS

# COPY's binary format: signature, flags, header extension; a tuple count of -1 ends the data
SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
TRAILER = b"\xff\xff"


class NotDirect(Exception):
    """This file must take the stage path."""


@dataclass(frozen=True)
class _DateField:
    layout: str
    first_of_month: bool  # a month given with its day: the day must be 01


@dataclass
class Plan:
    """How one file goes direct: its fields as the header orders them."""

    feed: Feed
    header: list[str]
    delimiter: int
    codec: str  # Python's name of the file's encoding: utf-8 or gb18030
    kinds: list[str] = field(default_factory=list)  # each field's column type
    dates: dict[int, _DateField] = field(default_factory=dict)  # header position -> layout
    keys: list[int] = field(default_factory=list)  # header positions of the key columns
    ending: bytes | None = None  # the file's line ending, once a block has shown it

    def __post_init__(self) -> None:
        d = re.escape(chr(self.delimiter)).encode()
        cell = rb'"(?:[^"' + d + rb'\r\n]|"")*"|[^"' + d + rb'\r\n]*'
        self.quoted_line = re.compile(rb"(?:" + cell + rb")(?:" + d + rb"(?:" + cell + rb"))*\r?")

    def line_ending(self, ending: bytes, every_line: bool) -> None:
        """Every line of the file must end alike."""
        if not every_line or self.ending not in (None, ending):
            raise NotDirect("mixed line endings")
        self.ending = ending

    @property
    def texts(self) -> list[int]:
        return [i for i, kind in enumerate(self.kinds) if kind == "text"]


def plan(delivery: Delivery, header: list[str], codec: str) -> Plan | None:
    """A plan if every column of this file can go direct, else None (the stage path)."""
    feed = delivery.feed
    if sorted(header) != sorted(feed.column_names) or len(delivery.delimiter) != 1:
        return None  # extra columns go into _extra, which only the stage path builds
    if feed.amount_format or feed.date_format not in _LAYOUTS:
        return None  # thousands separators; a date layout the stage path has no map for
    delimiter = ord(delivery.delimiter)
    layout = _LAYOUTS[feed.date_format]
    with_day = len(layout) > 7
    out = Plan(feed, header, delimiter, codec)
    for i, name in enumerate(header):
        column = feed.column(name)
        if column.type not in ("text", "date", "month", "int", "numeric"):
            return None
        if column.type == "date" and not with_day:
            return None
        if name in feed.key:
            out.keys.append(i)
        out.kinds.append(column.type)
        if column.type in ("date", "month"):
            out.dates[i] = _DateField(layout, column.type == "month" and with_day)
    return out


# ---- the block check -------------------------------------------------------------------------

@dataclass
class Checked:
    data: memoryview  # what COPY receives
    lines: int
    deferred: list[tuple[int, str]]  # (line number, text) of the lines left to values.py


def kernels_loaded() -> bool:
    """Whether this process has loaded the compiled loops (numba's import and cache: ~2 s)."""
    return "ingest.fastcopy_kernels" in sys.modules


def _blank(block: bytes, start: int, end: int) -> bool:
    """Whether a cell holds whitespace only (str.strip, as values.py), quotes undone."""
    text = block[start:end].decode("utf-8", errors="replace")
    if text.startswith('"'):
        text = text[1:-1].replace('""', '"')
    return not text.strip()


def _utf8(block: bytes, codec: str) -> bytes:
    """The block in UTF-8: the lines holding a byte beyond ASCII decoded from ``codec`` (the
    whole block at once if most do). UnicodeDecodeError if one is not in it."""
    a = np.frombuffer(block, dtype=np.uint8)
    newlines = np.flatnonzero(a == 10)
    lines = np.unique(np.searchsorted(newlines, np.flatnonzero(a >= 0x80)))
    if len(lines) * 4 > len(newlines):
        return block.decode(codec).encode()
    bounds = np.concatenate(([0], newlines + 1, [len(block)]))  # line k spans bounds[k]:bounds[k + 1]
    pieces, at = [], 0
    for start, end in zip(bounds[lines].tolist(), bounds[lines + 1].tolist(), strict=True):
        pieces += (block[at:start], block[start:end].decode(codec).encode())
        at = end
    pieces.append(block[at:])
    return b"".join(pieces)


def check_block(p: Plan, block: bytes, first_line: int, meta: bytes) -> Checked:
    """The block's lines as COPY's binary tuples, each ended by ``meta`` (the load's own raw
    columns, see ``meta_fields``) and its line number, but for the lines with a value only
    values.py may judge (deferred). NotDirect if the block is not plain CSV of one record per
    line. ``block`` holds whole lines (the file's last may lack its newline)."""
    from ingest import fastcopy_kernels as kernels  # numba: loaded only by the processes that use it

    if p.codec != "utf-8" and not block.isascii():
        # UTF-8 from here: COPY's session decodes nothing, and no byte of a character can be
        # taken for a delimiter (a GB18030 trail byte may be "|")
        try:
            block = _utf8(block, p.codec)
        except UnicodeDecodeError:
            raise NotDirect("bytes not in the file's encoding") from None
    a = np.frombuffer(block, dtype=np.uint8)
    ncols = len(p.header)
    starts, ends, line_start, content_end, quoted, bad_fields, stray_return, returns = kernels.split(
        a, p.delimiter, ncols)
    lines = len(line_start)
    if bad_fields:
        raise NotDirect("a line without the header's number of fields")
    for k in np.flatnonzero(quoted).tolist():
        if not p.quoted_line.fullmatch(block, int(line_start[k]), int(content_end[k])):
            raise NotDirect("quoting this path does not take")
    # a carriage return only ends a line, and every line of the file alike (as COPY's CSV
    # reader demands, where Python's csv reads a line break)
    if stray_return:
        raise NotDirect("a carriage return inside a line")
    if returns:
        p.line_ending(b"\r\n", returns == lines - (not block.endswith(b"\n")))
    elif lines > 1 or block.endswith(b"\n"):
        p.line_ending(b"\n", True)
    defer = np.zeros(lines, dtype=bool)
    states = np.zeros((lines, ncols), dtype=np.int8)
    values = np.zeros((lines, ncols), dtype=np.int64)
    for i, kind in enumerate(p.kinds):
        if kind == "text":
            empty, maybe_blank = kernels.empty_or_blank(a, starts, ends, i, _SURE_FIRST)
            if i in p.keys:
                defer |= empty  # an empty key
            for k in np.flatnonzero(maybe_blank & ~defer).tolist():  # whitespace: values.py nulls or refuses it
                defer[k] = _blank(block, int(starts[k, i]), int(ends[k, i]))
            continue
        if kind in ("date", "month"):
            f = p.dates[i]
            state, read = kernels.dates(a, starts, ends, i, np.frombuffer(f.layout.encode(), dtype=np.uint8),
                                        f.first_of_month, *_YEARS)
        else:
            digits, places = (_INT_DIGITS, 0) if kind == "int" else (_AMOUNT_DIGITS, _AMOUNT_DECIMALS)
            state, read = kernels.decimals(a, starts, ends, i, digits, places)
        if i in p.keys:
            defer |= state == kernels.EMPTY
        defer |= state == kernels.DEFER
        states[:, i], values[:, i] = state, read
    codes = {"text": kernels.TEXT, "date": kernels.DATE, "month": kernels.DATE, "int": kernels.INT,
             "numeric": kernels.NUMERIC}
    kinds = np.array([codes[kind] for kind in p.kinds], dtype=np.int8)
    nullable = np.array([i not in p.keys for i in range(ncols)], dtype=np.bool_)
    data = kernels.tuples(a, starts, ends, kinds, nullable, states, values, ~defer,
                          np.frombuffer(meta, dtype=np.uint8), ncols + len(META), first_line)
    try:
        deferred = [(first_line + k, block[line_start[k]:content_end[k]].decode())
                    for k in np.flatnonzero(defer).tolist()]
    except UnicodeDecodeError:  # (a line sent with such bytes makes PostgreSQL stop the COPY)
        raise NotDirect("bytes not in the file's encoding") from None
    return Checked(data.data, lines, deferred)


# ---- the load -------------------------------------------------------------------------------

META = ("_delivery_id", "_business_date", "_sequence", "_file", "_line")


def meta_fields(delivery_id: int, business_date: date, sequence: int, file: str) -> bytes:
    """The load's own raw columns but the line number, as fields of a binary tuple."""
    name = file.encode()
    days = (business_date - date(2000, 1, 1)).days
    return ((8).to_bytes(4, "big") + delivery_id.to_bytes(8, "big", signed=True)
            + (4).to_bytes(4, "big") + days.to_bytes(4, "big", signed=True)
            + (4).to_bytes(4, "big") + sequence.to_bytes(4, "big", signed=True)
            + len(name).to_bytes(4, "big") + name)


def copy_statement(p: Plan) -> sql.Composed:
    return sql.SQL("copy {} ({}) from stdin with (format binary)").format(
        raw_table(p.feed.name), sql.SQL(", ").join(sql.Identifier(h) for h in (*p.header, *META)))
