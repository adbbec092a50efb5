"""CSV direct path: a clean file goes by one COPY straight into its raw table.

The stage path (ingest/fastcopy.py) copies a file into a temporary text table and types it with
one ``INSERT … SELECT``. PostgreSQL inserts those rows one at a time, while COPY inserts in
batches: rs_pension's 5.4 M-row history took 21.8 s that way against about 6 s of ``psql \\copy``.
A file whose every value COPY types exactly as values.py would skips the stage:

- Checked in Python before each block is sent, at C speed (numpy, no per-line Python): every
  line has the header's number of fields (a line holding a quote must be RFC 4180 on one line
  with no delimiter inside quotes); every date and month is in the feed's canonical layout with
  a year in 1900-2100, or empty where the column is not a key. These are the spellings the stage
  path looks up in its date maps (ingest/fastcopy_sql.py).
- Typed by COPY: text as delivered; dates by ``date_in`` (a canonical spelling reads as values.py
  reads it, an impossible day stops the COPY); months without a day are written ``YYYY-MM-01``
  on the way; amounts and integers by ``numeric_in`` / ``int4in``, as the stage path already
  does (``typed_by_copy``: PostgreSQL 15).
- Also checked in the block, since values.py decides those (null, deferral, quarantine): no
  empty key, no text of whitespace only (a cell whose first byte cannot start whitespace is
  not blank; the few others are decoded), no NaN amount.
- The load's own raw columns (delivery, business date, sequence, file name) and the line number
  are appended to every line: one record per line is checked above, so ``_line`` is the line
  number.

Anything the direct path does not take raises ``NotDirect``; the caller rolls its savepoint
back and the file goes the stage path, which keeps its own fallback to the Python reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from psycopg import sql

from ingest.catalogue import Delivery, Feed
from ingest.fastcopy_sql import typed_by_copy
from ingest.warehouse import raw_table

# date_format -> layout of the canonical spelling; a month without its day gets these bytes
# inserted (offset in the cell, bytes) to read as YYYY-MM-01
_LAYOUTS = {None: "YYYY-MM-DD", "%Y-%m-%d": "YYYY-MM-DD", "%Y%m%d": "YYYYMMDD", "%Y%m": "YYYYMM",
            "%Y-%m": "YYYY-MM"}
_MONTH_FIRST_DAY = {"YYYYMM": ((4, b"-"), (6, b"-01")), "YYYY-MM": ((7, b"-01"),)}

_PRINTABLE = np.zeros(256, dtype=bool)
_PRINTABLE[0x21:0x7F] = True
_PRINTABLE[0x22] = False  # a quote is CSV syntax, not content
# UTF-8 lead bytes of characters that are never whitespace: U+00C0-U+07FF, U+4000-U+FFFF and
# beyond (whitespace lives in U+0085, U+00A0, U+1680, U+2000-U+205F and U+3000)
_UTF8_SAFE_LEADS = np.zeros(256, dtype=bool)
_UTF8_SAFE_LEADS[0xC3:0xE0] = True
_UTF8_SAFE_LEADS[0xE4:0xF5] = True
# GB18030 lead bytes of characters that are never whitespace: not 0x81-0x84 (four-byte
# sequences of U+0080-U+FFFF, whitespace among them) nor 0xA1 (U+3000 is A1 A1)
_GB_SAFE_LEADS = np.zeros(256, dtype=bool)
_GB_SAFE_LEADS[0x85:0xFF] = True
_GB_SAFE_LEADS[0xA1] = False
_SURE_FIRST = {"utf-8": _PRINTABLE | _UTF8_SAFE_LEADS, "gb18030": _PRINTABLE | _GB_SAFE_LEADS}


class NotDirect(Exception):
    """This file must take the stage path."""


@dataclass(frozen=True)
class _DateField:
    index: int  # position in the header
    layout: str
    first_of_month: bool  # a month given with its day: the day must be 01


@dataclass
class Plan:
    """How one file goes direct: its fields as the header orders them."""

    feed: Feed
    header: list[str]
    delimiter: int
    codec: str  # Python's name of the file's encoding: utf-8 or gb18030
    dates: list[_DateField] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)  # header positions of the key columns
    numbers: list[int] = field(default_factory=list)  # of the numeric ones
    texts: list[int] = field(default_factory=list)  # of the text ones

    def __post_init__(self) -> None:
        d = re.escape(chr(self.delimiter)).encode()
        cell = rb'"(?:[^"' + d + rb'\r\n]|"")*"|[^"' + d + rb'\r\n]*'
        self.quoted_line = re.compile(rb"(?:" + cell + rb")(?:" + d + rb"(?:" + cell + rb"))*\r?")


def plan(delivery: Delivery, header: list[str], server_version: int, codec: str) -> Plan | None:
    """A plan if every column of this file can go direct, else None (the stage path)."""
    feed = delivery.feed
    if sorted(header) != sorted(feed.column_names) or len(delivery.delimiter) != 1:
        return None  # extra columns go into _extra, which only the stage path builds
    delimiter = ord(delivery.delimiter)
    # a GB18030 trail byte may equal a delimiter in 0x40-0x7E: fields are then found as text
    if delimiter >= 0x40 and codec == "gb18030":
        return None
    if feed.date_format not in _LAYOUTS:
        return None
    layout = _LAYOUTS[feed.date_format]
    out = Plan(feed, header, delimiter, codec)
    for i, name in enumerate(header):
        column = feed.column(name)
        if name in feed.key:
            out.keys.append(i)
        if column.type == "text":
            out.texts.append(i)
        elif column.type == "numeric":
            out.numbers.append(i)
        if column.type in ("date", "month"):
            with_day = layout not in _MONTH_FIRST_DAY
            if column.type == "date" and not with_day:
                return None
            out.dates.append(_DateField(i, layout, column.type == "month" and with_day))
        elif column.type in ("int", "numeric"):
            if not typed_by_copy(column, feed, server_version):
                return None
        elif column.type != "text":
            return None
    return out


# ---- the block check (and the month rewrite), vectorised ----------------------------------

def _digits(cells: np.ndarray, positions: list[int]) -> np.ndarray:
    """The number written by the digit bytes at these positions of each cell."""
    value = np.zeros(len(cells), dtype=np.int64)
    for p in positions:
        digit = cells[:, p].astype(np.int64) - 48
        if ((digit < 0) | (digit > 9)).any():
            raise NotDirect("a date not in the feed's canonical layout")
        value = value * 10 + digit
    return value


def _check_date(a: np.ndarray, starts: np.ndarray, ends: np.ndarray, f: _DateField) -> np.ndarray:
    """Starts of the non-empty cells (checked); raises NotDirect for any other spelling. (An
    empty key is refused before, with every key column.)"""
    width = ends - starts
    filled = width > 0
    layout = f.layout
    if (width[filled] != len(layout)).any():
        raise NotDirect("a date not in the feed's canonical layout")
    at = starts[filled]
    cells = a[at[:, None] + np.arange(len(layout))]
    for p, ch in enumerate(layout):
        if ch == "-" and (cells[:, p] != ord("-")).any():
            raise NotDirect("a date not in the feed's canonical layout")
    numbers = [p for p, ch in enumerate(layout) if ch != "-"]
    year, month = _digits(cells, numbers[:4]), _digits(cells, numbers[4:6])
    if ((year < 1900) | (year > 2100) | (month < 1) | (month > 12)).any():
        raise NotDirect("a date outside the years the stage path maps")
    if len(numbers) == 8:
        day = _digits(cells, numbers[6:8])
        if ((day < 1) | (day > 31) | ((day != 1) if f.first_of_month else False)).any():
            raise NotDirect("a day the stage path would not type")
    return at


@dataclass
class Checked:
    data: bytes  # what COPY receives
    lines: int


def _blank_text_cells(p: Plan, block: bytes, a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> bool:
    """Whether a non-empty text cell holds whitespace only (str.strip, as values.py). A cell
    whose first byte starts a character that is not whitespace is not blank (cells begin on a
    character boundary); the few others are decoded and looked at."""
    first = a[np.minimum(starts, len(a) - 1)]
    quoted = first == 34
    if quoted.any():  # a quoted cell: its first character follows the quote
        first = np.where(quoted, a[np.minimum(starts + 1, len(a) - 1)], first)
    unsure = ~_SURE_FIRST[p.codec][first] & (ends > starts)
    for start, end in zip(starts[unsure].tolist(), ends[unsure].tolist(), strict=True):
        text = block[start:end].decode(p.codec, errors="replace")
        if text.startswith('"'):
            text = text[1:-1].replace('""', '"')
        if not text.strip():
            return True
    return False


def _in_cells(hits: np.ndarray, line_start: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> bool:
    """Whether any of these byte positions lies inside one of the given cells of its line."""
    if not len(hits):
        return False
    line = np.searchsorted(line_start, hits, side="right") - 1
    return bool(((starts[line] <= hits[:, None]) & (hits[:, None] < ends[line])).any())


def check_block(p: Plan, block: bytes, first_line: int, suffix: bytes) -> Checked:
    """The block as COPY must receive it: each line with ``suffix`` (the load's own raw
    columns) and its line number appended, months given their day. NotDirect if any line is
    not clean. ``block`` holds whole lines (the file's last may lack its newline)."""
    a = np.frombuffer(block, dtype=np.uint8)
    line_end = np.flatnonzero(a == 10)
    if not block.endswith(b"\n"):
        line_end = np.append(line_end, len(a))
    lines, ncols = len(line_end), len(p.header)
    line_start = np.concatenate(([0], line_end[:-1] + 1))
    delims = np.flatnonzero(a == p.delimiter)
    if len(delims) != lines * (ncols - 1):
        raise NotDirect("a line without the header's number of fields")
    grid = delims.reshape(lines, ncols - 1)
    # as many delimiters as the lines need, each line's first after its start and last before
    # its end: every line has exactly ncols - 1
    if (grid[:, 0] < line_start).any() or (grid[:, -1] >= line_end).any():
        raise NotDirect("a line without the header's number of fields")
    quotes = np.flatnonzero(a == 34)
    if len(quotes):
        for i in np.unique(np.searchsorted(line_end, quotes)):
            if not p.quoted_line.fullmatch(block, int(line_start[i]), int(line_end[i])):
                raise NotDirect("quoting this path does not take")
    content_end = line_end - (a[np.maximum(line_end - 1, 0)] == 13)
    starts = np.column_stack((line_start, grid + 1))
    ends = np.column_stack((grid, content_end))
    if (ends[:, p.keys] == starts[:, p.keys]).any():
        raise NotDirect("an empty key")
    if p.texts and _blank_text_cells(p, block, a, starts[:, p.texts].ravel(), ends[:, p.texts].ravel()):
        raise NotDirect("text of whitespace only")  # the stage path types it to null or defers it
    if p.numbers and _in_cells(np.flatnonzero((a == 78) | (a == 110)), line_start,
                               starts[:, p.numbers], ends[:, p.numbers]):
        raise NotDirect("a NaN amount")  # its spelling is values.py's to quarantine
    # what each line is given, in the order of its positions: months' days, then the tail
    positions, pieces = [], []
    for f in p.dates:
        filled = _check_date(a, starts[:, f.index], ends[:, f.index], f)
        for offset, text in _MONTH_FIRST_DAY.get(f.layout, ()):
            if len(filled) != lines:
                raise NotDirect("an empty month")
            positions.append(filled + offset)
            pieces.append(np.broadcast_to(np.frombuffer(text, dtype=np.uint8), (lines, len(text))))
    numbers = first_line + np.arange(lines, dtype=np.int64)
    width = len(str(first_line + lines))
    digits = (numbers[:, None] // 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)) % 10 + 48
    positions.append(content_end)
    pieces.append(np.concatenate((np.broadcast_to(np.frombuffer(suffix, dtype=np.uint8), (lines, len(suffix))),
                                  digits.astype(np.uint8)), axis=1))
    return Checked(_insert(a, positions, pieces), lines)


def _insert(a: np.ndarray, positions: list[np.ndarray], pieces: list[np.ndarray]) -> bytes:
    """``a`` with, on every line, each piece's row put before its position. Positions increase
    along the list within a line, so every inserted byte's place is known without a sort."""
    lines = len(positions[0])
    widths = np.array([piece.shape[1] for piece in pieces])
    before = np.concatenate(([0], np.cumsum(widths)[:-1]))  # inserted earlier on the same line
    per_line = int(widths.sum())
    out = np.empty(len(a) + lines * per_line, dtype=np.uint8)
    kept = np.ones(len(out), dtype=bool)
    line_offset = np.arange(lines, dtype=np.int64) * per_line
    for at, piece, b in zip(positions, pieces, before, strict=True):
        place = (at + line_offset + b)[:, None] + np.arange(piece.shape[1])
        kept[place] = False
    out[kept] = a
    out[~kept] = np.concatenate(pieces, axis=1).ravel()
    return out.tobytes()


# ---- the load -------------------------------------------------------------------------------

META = ("_delivery_id", "_business_date", "_sequence", "_file", "_line")


def meta_suffix(p: Plan, delivery_id: int, business_date: str, sequence: int, file: str) -> bytes:
    """What each line is given before its line number: the load's own raw columns, as CSV."""
    d = chr(p.delimiter)
    quoted = file if not any(ch in file for ch in f'"{d}\r\n') else '"' + file.replace('"', '""') + '"'
    return f"{d}{delivery_id}{d}{business_date}{d}{sequence}{d}{quoted}{d}".encode(p.codec)


def copy_statement(p: Plan, encoding: str) -> sql.Composed:
    return sql.SQL("copy {} ({}) from stdin with (format csv, header true, delimiter {}, encoding {})").format(
        raw_table(p.feed.name), sql.SQL(", ").join(sql.Identifier(h) for h in (*p.header, *META)),
        sql.Literal(chr(p.delimiter)), sql.Literal(encoding))
