"""CSV direct path: a file goes by one binary COPY straight into its raw table.

The stage path (ingest/fastcopy.py) copies a file into a temporary text table and types it with
one ``INSERT … SELECT``. PostgreSQL inserts those rows one at a time, while COPY inserts in
batches; and a text COPY into typed columns still spends most of its time parsing: rs_pension's
5.4 M-row history took 17 s of server time as CSV, about 10 s as ``FORMAT binary``. So Python
types the values here, as values.py would, and sends COPY's binary tuples, built block by block
with numpy (no per-line Python):

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
_SURE_FIRST = _PRINTABLE | _UTF8_SAFE_LEADS

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


# ---- values, vectorised: each gives (cells read, lines to defer, values where read) ---------

def _cells(a: np.ndarray, starts: np.ndarray, width: np.ndarray, size: int) -> np.ndarray:
    """The cells' bytes left-aligned in ``size`` columns, zero beyond each cell (``a`` ends in
    ``_PAD`` zero bytes, so every window fits)."""
    cells = sliding_window_view(a, size)[starts]
    cells[np.arange(size) >= width[:, None]] = 0
    return cells


def _digits(cells: np.ndarray, positions: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The number written by the digit bytes at these positions of each cell, and whether
    one of them is no digit."""
    value = np.zeros(len(cells), dtype=np.int64)
    wrong = np.zeros(len(cells), dtype=bool)
    for p in positions:
        digit = cells[:, p].astype(np.int64) - 48
        wrong |= (digit < 0) | (digit > 9)
        value = value * 10 + digit
    return value, wrong


def _dates(a: np.ndarray, starts: np.ndarray, ends: np.ndarray,
           f: _DateField) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cells read, lines to defer, days since 2000-01-01 where read). A filled cell is read
    if it has the canonical layout, a mapped year and a day of the calendar; else its line is
    deferred."""
    width = ends - starts
    layout = f.layout
    read = width == len(layout)
    defer = (width > 0) & ~read
    cells = _cells(a, starts[read], width[read], len(layout))
    wrong = np.zeros(len(cells), dtype=bool)
    for p, ch in enumerate(layout):
        if ch == "-":
            wrong |= cells[:, p] != ord("-")
    numbers = [p for p, ch in enumerate(layout) if ch != "-"]
    (year, bad_year), (month, bad_month) = _digits(cells, numbers[:4]), _digits(cells, numbers[4:6])
    wrong |= bad_year | bad_month | (year < _YEARS[0]) | (year > _YEARS[1]) | (month < 1) | (month > 12)
    first = ((np.where(wrong, 2000, year) - 1970) * 12 + np.where(wrong, 1, month) - 1).astype("datetime64[M]")
    if len(numbers) == 8:
        day, bad_day = _digits(cells, numbers[6:8])
        month_days = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
        wrong |= bad_day | (day < 1) | (day > month_days) | ((day != 1) if f.first_of_month else False)
    else:
        day = np.ones(len(cells), dtype=np.int64)
    days = np.zeros(len(starts), dtype=np.int64)
    days[read] = (first.astype("datetime64[D]") - _Y2K).astype(np.int64) + day - 1
    defer[read] = wrong
    read[read] = ~wrong
    return read, defer, days


_POW10 = 10 ** np.arange(19, dtype=np.int64)


def _decimals(a: np.ndarray, starts: np.ndarray, ends: np.ndarray, digits: int,
              decimals: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cells read, lines to defer, values times 10**decimals where read). A filled cell is
    read if spelled ``[+-]?d{1,digits}(.d{1,decimals})?``; else its line is deferred."""
    width = ends - starts
    longest = 2 + digits + decimals  # sign, digits, point, decimals
    read = (width > 0) & (width <= longest)
    defer = width > longest
    w = width[read]
    size = int(w.max()) if len(w) else 1
    cells = _cells(a, starts[read], w, size)
    column = np.arange(size)
    signed = (cells[:, 0] == 45) | (cells[:, 0] == 43)
    dot = cells == 46
    dots = dot.sum(axis=1)
    point = np.where(dots > 0, dot.argmax(axis=1), w)
    is_digit = (column < w[:, None]) & ~dot
    is_digit[:, 0] &= ~signed
    digit = cells - 48  # a byte that is no digit wraps above 9
    whole, fraction = point - signed, np.where(dots > 0, w - point - 1, 0)
    wrong = ((is_digit & (digit > 9)).any(axis=1) | (dots > 1) | (whole < 1) | (whole > digits)
             | ((dots > 0) & ((fraction < 1) | (fraction > decimals))))
    # a digit left of the point counts 10**(decimals + places before the point), one right of it
    # 10**(decimals - places after it)
    exponent = decimals + point[:, None] - column - (column < point[:, None])
    value = (np.where(is_digit, _POW10[np.clip(exponent, 0, 18)], 0) * digit).sum(axis=1)
    values = np.zeros(len(starts), dtype=np.int64)
    values[read] = np.where(cells[:, 0] == 45, -value, value)
    defer[read] = wrong
    read[read] = ~wrong
    return read, defer, values


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
    data: memoryview  # what COPY receives
    lines: int
    deferred: list[tuple[int, str]]  # (line number, text) of the lines left to values.py


def _blank_text_cells(block: bytes, a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which non-empty text cells hold whitespace only (str.strip, as values.py). A cell whose
    first byte starts a character that is not whitespace is not blank (cells begin on a
    character boundary); the few others are decoded and looked at."""
    first = a[starts]
    quoted = first == 34
    if quoted.any():  # a quoted cell: its first character follows the quote
        first = np.where(quoted, a[starts + 1], first)
    blank = ~_SURE_FIRST[first] & (ends > starts)
    for k in np.flatnonzero(blank).tolist():
        text = block[starts[k]:ends[k]].decode("utf-8", errors="replace")
        if text.startswith('"'):
            text = text[1:-1].replace('""', '"')
        blank[k] = not text.strip()
    return blank


def _unquoted(a: np.ndarray, block: bytes, quotes: np.ndarray, starts: np.ndarray,
              ends: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells' bounds without CSV's quoting, and the bytes they point into: ``a``, then the
    text of the few quoted cells holding a doubled quote, undoubled. Every quote is in a
    well-formed quoted cell (checked line by line before)."""
    shape = starts.shape
    starts, ends = starts.ravel().copy(), ends.ravel().copy()
    quoted = np.flatnonzero((a[starts] == 34) & (ends > starts))
    starts[quoted] += 1
    ends[quoted] -= 1
    doubled = quoted[np.searchsorted(quotes, ends[quoted]) > np.searchsorted(quotes, starts[quoted])]
    side, at = [], len(a)
    for k in doubled.tolist():
        text = block[starts[k]:ends[k]].replace(b'""', b'"')
        starts[k], ends[k] = at, at + len(text)
        side.append(text)
        at += len(text)
    source = np.concatenate((a, np.frombuffer(b"".join(side), dtype=np.uint8))) if side else a
    return source, starts.reshape(shape), ends.reshape(shape)


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
    if p.codec != "utf-8" and not block.isascii():
        # UTF-8 from here: COPY's session decodes nothing, and no byte of a character can be
        # taken for a delimiter (a GB18030 trail byte may be "|")
        try:
            block = _utf8(block, p.codec)
        except UnicodeDecodeError:
            raise NotDirect("bytes not in the file's encoding") from None
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
    defer = (ends[:, p.keys] == starts[:, p.keys]).any(axis=1)  # an empty key
    texts = p.texts
    if texts:  # text of whitespace only: values.py nulls or refuses it
        defer |= _blank_text_cells(block, a, starts[:, texts].ravel(), ends[:, texts].ravel()).reshape(
            lines, len(texts)).any(axis=1)
    values: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # position -> (payload, read)
    for i, kind in enumerate(p.kinds):
        if kind in ("date", "month"):
            read, bad, days = _dates(a, starts[:, i], ends[:, i], p.dates[i])
            values[i] = (_be(days, ">i4"), read)
        elif kind in ("int", "numeric"):
            digits, decimals = (_INT_DIGITS, 0) if kind == "int" else (_AMOUNT_DIGITS, _AMOUNT_DECIMALS)
            read, bad, number = _decimals(a, starts[:, i], ends[:, i], digits, decimals)
            values[i] = (_be(number, ">i4") if kind == "int" else _numeric_bytes(number), read)
        else:
            continue
        defer |= bad
    keep = ~defer
    source, cell_starts, cell_ends = a, starts, ends
    if len(quotes):
        source, cell_starts, cell_ends = _unquoted(a, block, quotes, starts, ends)
    tuples = _Tuples(lines, keep)
    tuples.const((ncols + len(META)).to_bytes(2, "big"))
    for i in range(ncols):
        if i in values:
            tuples.value(*values[i])
        else:  # text: null if empty, and not quoted
            tuples.cells(source, cell_starts[:, i], cell_ends[:, i] - cell_starts[:, i],
                         null=ends[:, i] == starts[:, i] if i not in p.keys else None)
    tuples.const(meta)
    tuples.value(_be(first_line + np.arange(lines), ">i4"), None)
    try:
        deferred = [(first_line + k, block[line_start[k]:content_end[k]].decode())
                    for k in np.flatnonzero(defer).tolist()]
    except UnicodeDecodeError:  # (a line sent with such bytes makes PostgreSQL stop the COPY)
        raise NotDirect("bytes not in the file's encoding") from None
    return Checked(tuples.buffer(), lines, deferred)


class _Tuples:
    """COPY's binary tuples of a block, built field by field. A field is the same bytes on
    every line (a constant), a matrix with a row per line (fixed width), or a slice of a byte
    array per line (varying width). Lines whose varying fields have the same widths share one
    layout and are written together, a column of the layout at a time; then each tuple goes to
    its line's place, so tuples are sent (and stored) in the file's order."""

    def __init__(self, lines: int, keep: np.ndarray) -> None:
        self.lines = lines
        self.kept = None if keep.all() else np.flatnonzero(keep)  # the lines sent (None: all)
        self.parts: list[tuple] = []

    def const(self, data: bytes) -> None:
        self.parts.append(("const", np.frombuffer(data, dtype=np.uint8)))

    def rows(self, matrix: np.ndarray) -> None:
        self.parts.append(("rows", matrix))

    def value(self, payload: np.ndarray, filled: np.ndarray | None) -> None:
        """A fixed-width value per line (a row of ``payload``), null where not ``filled``."""
        width = payload.shape[1]
        if filled is None or filled.all() or (self.kept is not None and filled[self.kept].all()):
            self.const(width.to_bytes(4, "big"))
            self.rows(payload)
            return
        self.cells(payload.ravel(), np.arange(self.lines) * width, np.where(filled, width, 0), null=~filled)

    def cells(self, source: np.ndarray, starts: np.ndarray, widths: np.ndarray, null: np.ndarray | None) -> None:
        """A field of ``widths[i]`` bytes at ``source[starts[i]:]`` per line, null where ``null``."""
        self.rows(_be(widths if null is None else np.where(null, -1, widths), ">i4"))
        self.parts.append(("cells", source, starts, widths))

    def _layouts(self) -> list[tuple[np.ndarray | slice, list[int]]]:
        """(lines, widths of the varying fields) per layout, of the lines kept."""
        kept = self.kept
        if kept is not None and not len(kept):
            return []
        varying = [part[3] for part in self.parts if part[0] == "cells"]
        widths = np.column_stack(varying) if varying else np.zeros((self.lines, 0), dtype=np.int64)
        if kept is not None:
            widths = widths[kept]
        if (widths == widths[0]).all():
            return [(slice(None) if kept is None else kept, widths[0].tolist())]
        order = np.lexsort(widths.T[::-1])
        ordered = widths[order]
        lines = order if kept is None else kept[order]
        cut = (np.flatnonzero((ordered[1:] != ordered[:-1]).any(axis=1)) + 1).tolist()
        return [(lines[s:e], ordered[s].tolist()) for s, e in zip([0, *cut], [*cut, len(lines)], strict=True)]

    def buffer(self) -> memoryview:
        """The tuples of the lines kept, in line order, in one buffer."""
        fixed = sum(part[1].shape[-1] for part in self.parts if part[0] != "cells")
        kept = np.arange(self.lines) if self.kept is None else self.kept
        sizes = np.full(len(kept), fixed) + sum(part[3][kept] for part in self.parts if part[0] == "cells")
        out = np.empty(int(np.sum(sizes)), dtype=np.uint8)
        layouts = self._layouts()
        if len(layouts) == 1:  # every tuple alike: written in place
            self._write(out.reshape(len(kept), -1), *layouts[0])
            return out.data
        # a layout at a time, then each tuple copied to its line's place (one item per tuple)
        place = np.zeros(self.lines, dtype=np.int64)
        place[kept] = np.cumsum(sizes) - sizes
        for lines, widths in layouts:
            size = fixed + sum(widths)
            layout = np.empty((len(lines), size), dtype=np.uint8)
            self._write(layout, lines, widths)
            tuples = np.ndarray((len(out) - size + 1,), dtype=f"V{size}", buffer=out, strides=(1,))
            tuples[place[lines]] = layout.view(f"V{size}").ravel()
        return out.data

    def _write(self, layout: np.ndarray, lines: np.ndarray | slice, widths: list[int]) -> None:
        """The tuples of these lines, all of one layout, as the rows of ``layout``."""
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


def _take_rows(matrix: np.ndarray, lines: np.ndarray | slice) -> np.ndarray:
    """These rows of a byte matrix, taken as one item each (much faster than byte by byte)."""
    if isinstance(lines, slice):
        return matrix
    width = matrix.shape[1]
    item = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}.get(width, np.dtype(f"V{width}"))
    return np.ascontiguousarray(matrix).view(item).ravel()[lines].view(np.uint8).reshape(-1, width)


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
