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
        return number
    if kind == "int":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise BadValue(f"{column.name}: bad integer {text!r}") from None
        if number != number.to_integral_value():
            raise BadValue(f"{column.name}: bad integer {text!r}")
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
