"""The direct path's loops over a block's bytes, compiled by numba (ingest/fastcopy_direct.py
says what they check and why). Each is one pass in plain loops: numpy's whole-array steps took
~1.5 µs a line (a dozen passes and the temporaries between them), more than PostgreSQL spends
storing the tuple. Compiled once, then cached beside this file (numba's ``cache=True``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# a cell's state after reading: empty (null), read, or its line is deferred to values.py
EMPTY, READ, DEFER = 0, 1, 2
# column kinds, as codes
TEXT, DATE, INT, NUMERIC = 0, 1, 2, 3

_QUOTE, _LF, _CR, _DASH, _DOT, _PLUS, _MINUS = 34, 10, 13, 45, 46, 43, 45


@njit(cache=True, nogil=True)
def split(a: np.ndarray, delimiter: int, ncols: int):  # type: ignore[no-untyped-def]
    """The block's lines and cells: (starts, ends) of each cell (lines x ncols, a quoted cell
    with its quotes), where each line's content ends (before a carriage return ending it),
    whether a line holds a quote, and the structure found: (fields wrong, a carriage return not
    ending a line, carriage returns)."""
    n = len(a)
    lines = 0
    for i in range(n):
        if a[i] == _LF:
            lines += 1
    if n and a[n - 1] != _LF:
        lines += 1
    starts = np.zeros((lines, ncols), dtype=np.int64)
    ends = np.zeros((lines, ncols), dtype=np.int64)
    line_start = np.zeros(lines, dtype=np.int64)
    content_end = np.zeros(lines, dtype=np.int64)
    quoted = np.zeros(lines, dtype=np.bool_)
    bad_fields, stray_return, returns = False, False, 0
    line, col, cell = 0, 0, 0
    for i in range(n + 1):
        c = a[i] if i < n else _LF
        if i == n and (n == 0 or a[n - 1] == _LF):
            break  # the last line had its newline
        if c == delimiter:
            if col < ncols - 1:
                starts[line, col], ends[line, col] = cell, i
                col += 1
            else:
                bad_fields = True
            cell = i + 1
        elif c == _LF:
            end = i - 1 if i > line_start[line] and a[i - 1] == _CR and i < n else i
            if col != ncols - 1:
                bad_fields = True
            starts[line, col], ends[line, col] = cell, end
            content_end[line] = end
            line += 1
            col, cell = 0, i + 1
            if line < lines:
                line_start[line] = i + 1
        elif c == _CR:
            returns += 1
            if i + 1 >= n or a[i + 1] != _LF:
                stray_return = True
        elif c == _QUOTE:
            quoted[line] = True
    return starts, ends, line_start, content_end, quoted, bad_fields, stray_return, returns


@njit(cache=True, nogil=True)
def empty_or_blank(a: np.ndarray, starts: np.ndarray, ends: np.ndarray, column: int,
                   sure_first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per line: is this cell empty, and might it hold whitespace only (its first character,
    after a quote, is not one that is surely no whitespace)."""
    lines = starts.shape[0]
    empty = np.zeros(lines, dtype=np.bool_)
    maybe_blank = np.zeros(lines, dtype=np.bool_)
    for k in range(lines):
        s, e = starts[k, column], ends[k, column]
        if e == s:
            empty[k] = True
            continue
        first = a[s + 1] if a[s] == _QUOTE else a[s]  # a quoted cell has two bytes at least
        maybe_blank[k] = not sure_first[first]
    return empty, maybe_blank


@njit(cache=True, nogil=True)
def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_Y2K_DAYS = 10957  # 2000-01-01, where a binary date counts from


@njit(cache=True, nogil=True)
def dates(a: np.ndarray, starts: np.ndarray, ends: np.ndarray, column: int, layout: np.ndarray,
          first_of_month: bool, first_year: int, last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """(state, days since 2000-01-01) per line: a cell is read if it has the layout (digits
    where it has no dash; Y, M, D for year, month, day), a year in the range given and a day of the
    calendar (the first, if ``first_of_month``); else its line is deferred."""
    lines = starts.shape[0]
    state = np.zeros(lines, dtype=np.int8)
    days = np.zeros(lines, dtype=np.int64)
    size = len(layout)
    with_day = False
    for p in range(size):
        with_day |= layout[p] == 68  # D
    for k in range(lines):
        s, e = starts[k, column], ends[k, column]
        if e == s:
            continue
        state[k] = DEFER
        if e - s != size:
            continue
        y, m, d, ok = 0, 0, 0, True
        for p in range(size):
            c = a[s + p]
            if layout[p] == _DASH:
                ok &= c == _DASH
                continue
            digit = c - 48
            if digit < 0 or digit > 9:
                ok = False
                break
            if layout[p] == 89:  # Y
                y = y * 10 + digit
            elif layout[p] == 77:  # M
                m = m * 10 + digit
            else:
                d = d * 10 + digit
        if not ok or y < first_year or y > last_year or m < 1 or m > 12:
            continue
        if not with_day:
            d = 1  # a month without its day
        leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
        month_days = 29 if m == 2 and leap else (28 if m == 2 else (30 if m in (4, 6, 9, 11) else 31))
        if d < 1 or d > month_days or (first_of_month and d != 1):
            continue
        state[k] = READ
        days[k] = _days_from_civil(y, m, d) - _Y2K_DAYS
    return state, days


@njit(cache=True, nogil=True)
def decimals(a: np.ndarray, starts: np.ndarray, ends: np.ndarray, column: int, digits: int,
             places: int) -> tuple[np.ndarray, np.ndarray]:
    """(state, value times 10**places) per line: a cell is read if spelled
    ``[+-]?d{1,digits}(.d{1,places})?``; else its line is deferred."""
    lines = starts.shape[0]
    state = np.zeros(lines, dtype=np.int8)
    values = np.zeros(lines, dtype=np.int64)
    for k in range(lines):
        s, e = starts[k, column], ends[k, column]
        if e == s:
            continue
        state[k] = DEFER
        negative = a[s] == _MINUS
        p = s + 1 if negative or a[s] == _PLUS else s
        whole, fraction, value, ok, seen_point = 0, 0, 0, True, False
        for i in range(p, e):
            c = a[i]
            if c == _DOT and not seen_point:
                seen_point = True
                continue
            digit = c - 48
            if digit < 0 or digit > 9:
                ok = False
                break
            if seen_point:
                fraction += 1
            else:
                whole += 1
            if whole > digits or fraction > places:
                ok = False
                break
            value = value * 10 + digit
        if not ok or whole < 1 or (seen_point and fraction < 1):
            continue
        for _ in range(places - fraction):
            value *= 10
        state[k] = READ
        values[k] = -value if negative else value
    return state, values


@njit(cache=True, nogil=True)
def _put_i32(out: np.ndarray, at: int, value: int) -> int:
    for b in range(4):
        out[at + b] = (value >> (24 - 8 * b)) & 0xFF
    return at + 4


@njit(cache=True, nogil=True)
def _put_i16(out: np.ndarray, at: int, value: int) -> int:
    out[at] = (value >> 8) & 0xFF
    out[at + 1] = value & 0xFF
    return at + 2


@njit(cache=True, nogil=True)
def _text_width(a: np.ndarray, s: int, e: int) -> int:
    """The cell's width without CSV's quoting (every quote inside is doubled: checked before)."""
    if e - s < 2 or a[s] != _QUOTE:
        return e - s
    width = 0
    i = s + 1
    while i < e - 1:
        i += 2 if a[i] == _QUOTE else 1
        width += 1
    return width


@njit(cache=True, nogil=True)
def tuples(a: np.ndarray, starts: np.ndarray, ends: np.ndarray, kinds: np.ndarray,
           nullable: np.ndarray, states: np.ndarray, values: np.ndarray, keep: np.ndarray,
           meta: np.ndarray, fields: int, first_line: int) -> np.ndarray:
    """COPY's binary tuples of the lines kept, in line order: the fields as ``kinds`` types
    them (text as delivered, quotes undone, null if empty where ``nullable``; a date, integer
    or numeric(18,2) from ``values``, null where its state is EMPTY), then ``meta`` and the line
    number: ``fields`` in all."""
    lines, ncols = starts.shape
    # room enough: a text field is no wider than its cell, any other field takes 22 bytes at most
    out = np.empty(ends[-1, -1] + lines * (2 + 22 * ncols + len(meta) + 8) if lines else 0, dtype=np.uint8)
    at = 0
    for k in range(lines):
        if not keep[k]:
            continue
        at = _put_i16(out, at, fields)
        for i in range(ncols):
            s, e = starts[k, i], ends[k, i]
            if kinds[i] == TEXT:
                if e == s and nullable[i]:
                    at = _put_i32(out, at, -1)
                    continue
                at = _put_i32(out, at, _text_width(a, s, e))
                if e - s >= 2 and a[s] == _QUOTE:
                    j = s + 1
                    while j < e - 1:
                        out[at] = a[j]
                        at += 1
                        j += 2 if a[j] == _QUOTE else 1
                else:
                    out[at:at + e - s] = a[s:e]
                    at += e - s
            elif states[k, i] == EMPTY:
                at = _put_i32(out, at, -1)
            elif kinds[i] != NUMERIC:  # a date's days or an integer
                at = _put_i32(out, at, 4)
                at = _put_i32(out, at, values[k, i])
            else:  # numeric(18,2): 5 base-10000 digits, weight 3, scale 2 (PostgreSQL strips zeros)
                cents = values[k, i]
                units, hundredths = abs(cents) // 100, abs(cents) % 100
                at = _put_i32(out, at, 18)
                at = _put_i16(out, at, 5)
                at = _put_i16(out, at, 3)
                at = _put_i16(out, at, 0x4000 if cents < 0 else 0)
                at = _put_i16(out, at, 2)
                at = _put_i16(out, at, (units // 1000000000000) % 10000)
                at = _put_i16(out, at, (units // 100000000) % 10000)
                at = _put_i16(out, at, (units // 10000) % 10000)
                at = _put_i16(out, at, units % 10000)
                at = _put_i16(out, at, hundredths * 100)
        out[at:at + len(meta)] = meta
        at += len(meta)
        at = _put_i32(out, at, 4)
        at = _put_i32(out, at, first_line + k)
    return out[:at]
