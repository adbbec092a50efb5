"""Parse one delivered value into its catalogue type, or say why it cannot be parsed.

A value that fails here sends its whole row to quarantine with the reason; nothing is guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ingest.catalogue import Column, Feed


class BadValue(ValueError):
    """A value that does not fit its column's type or format."""


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
NUMERIC_LIMIT = Decimal(10) ** 16
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def _date(text: str, fmt: str | None, column: str) -> date:
    try:
        return datetime.strptime(text, fmt or "%Y-%m-%d").date()
    except ValueError:
        raise BadValue(f"{column}: bad date {text!r} (expected {fmt or '%Y-%m-%d'})") from None


def parse_value(value: object, column: Column, feed: Feed) -> object:
    """Return the typed value (None for empty) or raise BadValue."""
    if value is None:
        return None
    if isinstance(value, datetime) and column.type in ("date", "month"):
        value = value.date()
    if isinstance(value, date) and not isinstance(value, datetime):
        if column.type == "month" and value.day != 1:
            raise BadValue(f"{column.name}: month {value} is not a month's first day")
        if column.type in ("date", "month"):
            return value
    text = str(value).strip()
    if text == "":
        return None
    kind = column.type
    if kind == "text":
        return str(value)
    if kind == "date":
        return _date(text, feed.date_format, column.name)
    if kind == "month":
        fmt = feed.date_format or "%Y-%m-%d"
        parsed = _date(text, fmt, column.name)
        if parsed.day != 1:
            raise BadValue(f"{column.name}: month {text!r} is not a month's first day")
        return parsed
    if kind == "numeric":
        if isinstance(value, int | float) and not isinstance(value, bool):
            text = repr(value) if isinstance(value, float) else str(value)
        if "," in text:
            if not (feed.amount_format and _THOUSANDS.match(text)):
                raise BadValue(f"{column.name}: bad amount {text!r}")
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise BadValue(f"{column.name}: bad amount {text!r}") from None
        if not number.is_finite():
            raise BadValue(f"{column.name}: bad amount {text!r}")
        if abs(number) >= NUMERIC_LIMIT:  # numeric(18,2): it would fail the whole COPY
            raise BadValue(f"{column.name}: amount {text!r} out of range")
        return number
    if kind == "int":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise BadValue(f"{column.name}: bad integer {text!r}") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise BadValue(f"{column.name}: bad integer {text!r}")
        if not INT_MIN <= number <= INT_MAX:  # PostgreSQL integer: it would fail the whole COPY
            raise BadValue(f"{column.name}: integer {text!r} out of range")
        return int(number)
    if kind == "timestamptz":
        try:
            parsed_ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise BadValue(f"{column.name}: bad timestamp {text!r}") from None
        if parsed_ts.tzinfo is None:
            raise BadValue(f"{column.name}: timestamp {text!r} has no time zone")
        return parsed_ts
    if kind == "bool":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise BadValue(f"{column.name}: bad boolean {text!r}")
    raise BadValue(f"{column.name}: unknown catalogue type {kind!r}")


# ---- compiled per-column parsers (the loader's hot path) ------------------------------------
# Same results and the same errors as ``parse_value``: the fast paths below only ever accept
# what ``parse_value`` accepts, to the same value; anything else goes to ``parse_value`` itself.

def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _fast_ymd_dash(t: str) -> date | None:
    if len(t) == 10 and t[4] == "-" and t[7] == "-" and _ascii_digits(t[:4] + t[5:7] + t[8:]):
        try:
            return date(int(t[:4]), int(t[5:7]), int(t[8:]))
        except ValueError:
            return None
    return None


def _fast_ymd(t: str) -> date | None:
    if len(t) == 8 and _ascii_digits(t):
        try:
            return date(int(t[:4]), int(t[4:6]), int(t[6:]))
        except ValueError:
            return None
    return None


def _fast_ym(t: str) -> date | None:
    if len(t) == 6 and _ascii_digits(t):
        try:
            return date(int(t[:4]), int(t[4:]), 1)
        except ValueError:
            return None
    return None


def _fast_ym_dash(t: str) -> date | None:
    if len(t) == 7 and t[4] == "-" and _ascii_digits(t[:4] + t[5:]):
        try:
            return date(int(t[:4]), int(t[5:]), 1)
        except ValueError:
            return None
    return None


_FAST_DATES = {None: _fast_ymd_dash, "%Y-%m-%d": _fast_ymd_dash, "%Y%m%d": _fast_ymd,
               "%Y%m": _fast_ym, "%Y-%m": _fast_ym_dash}


def column_parser(column: Column, feed: Feed):  # type: ignore[no-untyped-def]
    """A function value -> typed value (or BadValue) for one column, built once per delivery."""
    kind = column.type
    slow = parse_value

    def fallback(value: object) -> object:
        return slow(value, column, feed)

    if kind == "text":
        def parse_text(value: object) -> object:
            if value.__class__ is str:
                return value if value.strip() else None  # type: ignore[union-attr]
            return fallback(value)
        return parse_text

    if kind in ("date", "month"):
        fast = _FAST_DATES.get(feed.date_format)
        if fast is None:
            return fallback

        def parse_date(value: object) -> object:
            if value.__class__ is str:
                text = value.strip()  # type: ignore[union-attr]
                if not text:
                    return None
                parsed = fast(text)
                if parsed is not None and (kind == "date" or parsed.day == 1):
                    return parsed
            return fallback(value)
        return parse_date

    if kind == "numeric":
        def parse_numeric(value: object) -> object:
            if value.__class__ is str:
                text = value.strip()  # type: ignore[union-attr]
                if text and "," not in text:
                    try:
                        number = Decimal(text)
                    except InvalidOperation:
                        return fallback(value)
                    if number.is_finite() and -NUMERIC_LIMIT < number < NUMERIC_LIMIT:
                        return number
            return fallback(value)
        return parse_numeric

    return fallback
