"""CSV direct path: a clean file goes by one binary COPY straight into its raw table.

The stage path (ingest/fastcopy.py) copies a file into a temporary text table and types it with
one ``INSERT … SELECT``. PostgreSQL inserts those rows one at a time, while COPY inserts in
batches; and a text COPY into typed columns still spends most of its time parsing: rs_pension's
5.4 M-row history took 17 s of server time as CSV, about 7 s as ``FORMAT binary``. So a file
whose every value can be typed here as values.py would type it skips the stage, and Python
sends COPY's binary tuples, built block by block with numpy (no per-line Python):

- Structure: every line has the header's number of fields (a line holding a quote must be
  RFC 4180 on one line with no delimiter inside quotes); so ``_line`` is the line number.
- Text: as delivered, quotes undone; an unquoted empty cell is null. Its bytes are decoded by
  PostgreSQL from the file's encoding (``client_encoding`` for the COPY), as the stage path's.
  No text of whitespace only (a cell whose first byte cannot start whitespace is not blank; the
  few others are decoded and looked at), since values.py nulls or defers it.
- Dates and months: the feed's canonical layout, a year in 1900-2100 and a day of the calendar
  (the spellings the stage path looks up in its date maps, ingest/fastcopy_sql.py); a month
  given with its day must be a first day.
- Amounts and integers: the plain spellings the stage path types (``[+-]`` then up to 16
  digits and 2 decimals, or up to 9 digits), to the same value.
- No empty key.

The load's own raw columns (delivery, business date, sequence, file name) and the line number
end every tuple. Anything else raises ``NotDirect``: the caller rolls its savepoint back and the
file goes the stage path, which keeps its own fallback to the Python reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
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
# GB18030 lead bytes of characters that are never whitespace: not 0x81-0x84 (four-byte
# sequences of U+0080-U+FFFF, whitespace among them) nor 0xA1 (U+3000 is A1 A1)
_GB_SAFE_LEADS = np.zeros(256, dtype=bool)
_GB_SAFE_LEADS[0x85:0xFF] = True
_GB_SAFE_LEADS[0xA1] = False
_SURE_FIRST = {"utf-8": _PRINTABLE | _UTF8_SAFE_LEADS, "gb18030": _PRINTABLE | _GB_SAFE_LEADS}

# COPY's binary format: signature, flags, header extension; a tuple count of -1 ends the data
SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
TRAILER = b"\xff\xff"
_Y2K = np.datetime64("2000-01-01", "D")  # a binary date counts days from here
_NUMERIC_NEG = 0x4000
_PAD = 32  # zero bytes after a block: any cell read as a fixed-size window fits


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

    def line_ending(self, ending: bytes, every_line: bool) -> None:
        if not every_line or self.ending not in (None, ending):
            raise NotDirect("mixed line endings")
        self.ending = ending

    def __post_init__(self) -> None:
        d = re.escape(chr(self.delimiter)).encode()
        cell = rb'"(?:[^"' + d + rb'\r\n]|"")*"|[^"' + d + rb'\r\n]*'
        self.quoted_line = re.compile(rb"(?:" + cell + rb")(?:" + d + rb"(?:" + cell + rb"))*\r?")

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
    # a GB18030 trail byte may equal a delimiter in 0x40-0x7E: fields are then found as text
    if delimiter >= 0x40 and codec == "gb18030":
        return None
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


# ---- values, vectorised: each gives (filled, the filled cells' values) or raises NotDirect --

def _cells(a: np.ndarray, starts: np.ndarray, width: np.ndarray, size: int) -> np.ndarray:
    """The cells' bytes left-aligned in ``size`` columns, zero beyond each cell (``a`` ends in
    ``_PAD`` zero bytes, so every window fits)."""
    cells = sliding_window_view(a, size)[starts]
    cells[np.arange(size) >= width[:, None]] = 0
    return cells


def _digits(cells: np.ndarray, positions: list[int]) -> np.ndarray:
    """The number written by the digit bytes at these positions of each cell."""
    value = np.zeros(len(cells), dtype=np.int64)
    for p in positions:
        digit = cells[:, p].astype(np.int64) - 48
        if ((digit < 0) | (digit > 9)).any():
            raise NotDirect("a date not in the feed's canonical layout")
        value = value * 10 + digit
    return value


def _dates(a: np.ndarray, starts: np.ndarray, ends: np.ndarray, f: _DateField) -> tuple[np.ndarray, np.ndarray]:
    """Days since 2000-01-01 of the filled cells, each in the canonical layout and the calendar."""
    width = ends - starts
    filled = width > 0
    layout = f.layout
    if (width[filled] != len(layout)).any():
        raise NotDirect("a date not in the feed's canonical layout")
    cells = _cells(a, starts[filled], width[filled], len(layout))
    for p, ch in enumerate(layout):
        if ch == "-" and (cells[:, p] != ord("-")).any():
            raise NotDirect("a date not in the feed's canonical layout")
    numbers = [p for p, ch in enumerate(layout) if ch != "-"]
    year, month = _digits(cells, numbers[:4]), _digits(cells, numbers[4:6])
    if ((year < _YEARS[0]) | (year > _YEARS[1]) | (month < 1) | (month > 12)).any():
        raise NotDirect("a date outside the years the stage path maps")
    first = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    day = _digits(cells, numbers[6:8]) if len(numbers) == 8 else np.ones(len(cells), dtype=np.int64)
    month_days = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    if ((day < 1) | (day > month_days) | ((day != 1) if f.first_of_month else False)).any():
        raise NotDirect("a day not in the calendar, or a month not given by its first day")
    return filled, (first.astype("datetime64[D]") - _Y2K).astype(np.int64) + day - 1


_POW10 = 10 ** np.arange(19, dtype=np.int64)


def _decimals(a: np.ndarray, starts: np.ndarray, ends: np.ndarray, digits: int,
              decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """The filled cells spelled ``[+-]?d{1,digits}(.d{1,decimals})?``, times 10**decimals."""
    width = ends - starts
    filled = width > 0
    w = width[filled]
    if not len(w):
        return filled, np.zeros(0, dtype=np.int64)
    size = int(w.max())
    if size > 2 + digits + decimals:
        raise NotDirect("a number this path does not read")
    cells = _cells(a, starts[filled], w, size)
    column = np.arange(size)
    signed = (cells[:, 0] == 45) | (cells[:, 0] == 43)
    dot = cells == 46
    dots = dot.sum(axis=1)
    point = np.where(dots > 0, dot.argmax(axis=1), w)
    is_digit = (column < w[:, None]) & ~dot
    is_digit[:, 0] &= ~signed
    digit = cells - 48  # a byte that is no digit wraps above 9
    whole, fraction = point - signed, np.where(dots > 0, w - point - 1, 0)
    if ((is_digit & (digit > 9)).any() or (dots > 1).any() or ((whole < 1) | (whole > digits)).any()
            or ((dots > 0) & ((fraction < 1) | (fraction > decimals))).any()):
        raise NotDirect("a number this path does not read")
    # a digit left of the point counts 10**(decimals + places before the point), one right of it
    # 10**(decimals - places after it)
    exponent = decimals + point[:, None] - column - (column < point[:, None])
    value = (np.where(is_digit, _POW10[np.clip(exponent, 0, 18)], 0) * digit).sum(axis=1)
    return filled, np.where(cells[:, 0] == 45, -value, value)


def _numeric_bytes(cents: np.ndarray) -> np.ndarray:
    """numeric(18,2) in COPY's binary form: 5 base-10000 digits, weight 3, scale 2 (PostgreSQL
    strips the zero digits and rounds as for text)."""
    units, hundredths = np.divmod(np.abs(cents), 100)
    words = np.empty((len(cents), 9), dtype=">i2")
    words[:, 0], words[:, 1], words[:, 3] = 5, 3, 2
    words[:, 2] = np.where(cents < 0, _NUMERIC_NEG, 0)
    for k, base in enumerate((10**12, 10**8, 10**4, 1)):
        words[:, 4 + k] = (units // base) % 10000
    words[:, 8] = hundredths * 100
    return words.view(np.uint8).reshape(len(cents), 18)


def _be(values: np.ndarray, dtype: str) -> np.ndarray:
    """Big-endian bytes of each value, a row per value."""
    out = np.ascontiguousarray(values, dtype=dtype)
    return out.view(np.uint8).reshape(len(values), out.itemsize)


# ---- the block check -------------------------------------------------------------------------

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


def _unquoted(a: np.ndarray, quotes: np.ndarray, starts: np.ndarray, ends: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The block without CSV's quoting (each quoted cell's outer quotes, the first of each
    doubled one), and the text cells' bounds in it. Every quote is in a well-formed quoted
    cell (checked line by line before)."""
    quoted = a[np.minimum(starts, len(a) - 1)] == 34
    quoted &= ends > starts
    outer = np.concatenate((starts[quoted], ends[quoted] - 1))
    inner = np.setdiff1d(quotes, outer)  # doubled quotes, in adjacent pairs
    if len(inner) % 2 or (inner[1::2] != inner[0::2] + 1).any():
        raise NotDirect("quoting this path does not take")
    dropped = np.sort(np.concatenate((outer, inner[0::2])))
    begin, end = starts + quoted, ends - quoted
    return (np.delete(a, dropped), begin - np.searchsorted(dropped, begin), end - np.searchsorted(dropped, end))


def check_block(p: Plan, block: bytes, first_line: int, meta: bytes) -> Checked:
    """The block's lines as COPY's binary tuples, each ended by ``meta`` (the load's own raw
    columns, see ``meta_fields``) and its line number. NotDirect if any line is not clean.
    ``block`` holds whole lines (the file's last may lack its newline)."""
    a = np.frombuffer(block + bytes(_PAD), dtype=np.uint8)  # the pad holds no syntax byte
    line_end = np.flatnonzero(a == 10)
    if not block.endswith(b"\n"):
        line_end = np.append(line_end, len(block))
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
    # a carriage return only ends a line, and every line of the file alike (as COPY's CSV
    # reader demands, where Python's csv reads a line break)
    returns = np.flatnonzero(a == 13)
    if (a[returns + 1] != 10).any():
        raise NotDirect("a carriage return inside a line")
    if len(returns):
        p.line_ending(b"\r\n", len(returns) == lines - (not block.endswith(b"\n")))
    elif lines > 1 or block.endswith(b"\n"):
        p.line_ending(b"\n", True)
    content_end = line_end - (a[np.maximum(line_end - 1, 0)] == 13)
    starts = np.column_stack((line_start, grid + 1))
    ends = np.column_stack((grid, content_end))
    if (ends[:, p.keys] == starts[:, p.keys]).any():
        raise NotDirect("an empty key")
    texts = p.texts
    if texts and _blank_text_cells(p, block, a, starts[:, texts].ravel(), ends[:, texts].ravel()):
        raise NotDirect("text of whitespace only")  # the stage path types it to null or defers it
    text_source, text_starts, text_ends = a, starts[:, texts], ends[:, texts]
    if len(quotes):
        text_source, text_starts, text_ends = _unquoted(a, quotes, text_starts, text_ends)
    tuples = _Tuples(lines)
    tuples.const((ncols + len(META)).to_bytes(2, "big"))
    for i, kind in enumerate(p.kinds):
        if kind == "text":
            t = texts.index(i)
            tuples.cells(text_source, text_starts[:, t], text_ends[:, t] - text_starts[:, t],
                         null=ends[:, i] == starts[:, i] if i not in p.keys else None)  # unquoted empty
            continue
        if kind in ("date", "month"):
            filled, days = _dates(a, starts[:, i], ends[:, i], p.dates[i])
            payload = _be(days, ">i4")
        elif kind == "int":
            filled, number = _decimals(a, starts[:, i], ends[:, i], _INT_DIGITS, 0)
            payload = _be(number, ">i4")
        else:
            filled, number = _decimals(a, starts[:, i], ends[:, i], _AMOUNT_DIGITS, _AMOUNT_DECIMALS)
            payload = _numeric_bytes(number)
        tuples.value(payload, filled)
    tuples.const(meta)
    tuples.value(_be(first_line + np.arange(lines), ">i4"), None)
    return Checked(tuples.bytes(), lines)


class _Tuples:
    """COPY's binary tuples of a block, built field by field. A field is the same bytes on
    every line (a constant), a matrix with a row per line (fixed width), or a slice of a byte
    array per line (varying width). Lines whose varying fields have the same widths share one
    layout and are written together, a column of the layout at a time; tuples are sent in
    that order (``_line`` keeps the file's)."""

    def __init__(self, lines: int) -> None:
        self.lines = lines
        self.parts: list[tuple] = []

    def const(self, data: bytes) -> None:
        self.parts.append(("const", np.frombuffer(data, dtype=np.uint8)))

    def rows(self, matrix: np.ndarray) -> None:
        self.parts.append(("rows", matrix))

    def value(self, payload: np.ndarray, filled: np.ndarray | None) -> None:
        """A fixed-width value per filled line (``payload`` has a row per filled line)."""
        width = payload.shape[1]
        if filled is None or filled.all():
            self.const(width.to_bytes(4, "big"))
            self.rows(payload)
            return
        full = np.zeros((self.lines, width), dtype=np.uint8)
        full[filled] = payload
        self.cells(full.ravel(), np.arange(self.lines) * width, np.where(filled, width, 0), null=~filled)

    def cells(self, source: np.ndarray, starts: np.ndarray, widths: np.ndarray, null: np.ndarray | None) -> None:
        """A field of ``widths[i]`` bytes at ``source[starts[i]:]`` per line, null where ``null``."""
        self.rows(_be(widths if null is None else np.where(null, -1, widths), ">i4"))
        self.parts.append(("cells", source, starts, widths))

    def _layouts(self) -> list[tuple[np.ndarray | slice, list[int]]]:
        """(lines, widths of the varying fields) per layout."""
        varying = [part[3] for part in self.parts if part[0] == "cells"]
        if not varying:
            return [(slice(None), [])]
        widths = np.column_stack(varying)
        if (widths == widths[0]).all():
            return [(slice(None), widths[0].tolist())]
        order = np.lexsort(widths.T[::-1])
        ordered = widths[order]
        cut = (np.flatnonzero((ordered[1:] != ordered[:-1]).any(axis=1)) + 1).tolist()
        return [(order[s:e], ordered[s].tolist()) for s, e in zip([0, *cut], [*cut, self.lines], strict=True)]

    def bytes(self) -> bytes:
        fixed = sum(part[1].shape[-1] for part in self.parts if part[0] != "cells")
        out = []
        for lines, widths in self._layouts():
            n = self.lines if isinstance(lines, slice) else len(lines)
            layout = np.empty((n, fixed + sum(widths)), dtype=np.uint8)
            at, varying = 0, iter(widths)
            for kind, data, *cells in self.parts:
                if kind == "cells":
                    width = next(varying)
                    if width:  # a cell lies inside its source, so its window does
                        layout[:, at:at + width] = sliding_window_view(data, width)[cells[0][lines]]
                else:
                    width = data.shape[-1]
                    layout[:, at:at + width] = data if kind == "const" else _take_rows(data, lines)
                at += width
            out.append(layout.tobytes())
        return b"".join(out)


def _take_rows(matrix: np.ndarray, lines: np.ndarray | slice) -> np.ndarray:
    """These rows of a byte matrix, taken as one item each (much faster than byte by byte)."""
    if isinstance(lines, slice):
        return matrix
    width = matrix.shape[1]
    item = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}.get(width, np.dtype(f"V{width}"))
    return np.ascontiguousarray(matrix).view(item).ravel()[lines].view(np.uint8).reshape(-1, width)


# ---- the load -------------------------------------------------------------------------------

META = ("_delivery_id", "_business_date", "_sequence", "_file", "_line")


def meta_fields(p: Plan, delivery_id: int, business_date: date, sequence: int, file: str) -> bytes:
    """The load's own raw columns but the line number, as fields of a binary tuple (the file
    name in the file's encoding, which is the COPY's client encoding)."""
    name = file.encode(p.codec)
    days = (business_date - date(2000, 1, 1)).days
    return ((8).to_bytes(4, "big") + delivery_id.to_bytes(8, "big", signed=True)
            + (4).to_bytes(4, "big") + days.to_bytes(4, "big", signed=True)
            + (4).to_bytes(4, "big") + sequence.to_bytes(4, "big", signed=True)
            + len(name).to_bytes(4, "big") + name)


def copy_statement(p: Plan) -> sql.Composed:
    return sql.SQL("copy {} ({}) from stdin with (format binary)").format(
        raw_table(p.feed.name), sql.SQL(", ").join(sql.Identifier(h) for h in (*p.header, *META)))
