"""Turning Python values into the text (or JSON) a catalogue column carries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def fmt_value(value: object, typ: str, date_format: str | None = None, amount_format: str | None = None) -> str:
    """Text for one cell. Strings pass through untouched: they may be deliberate dirt."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    if typ in ("date", "month"):
        assert isinstance(value, date)
        if isinstance(value, datetime):
            value = value.astimezone(TZ).date()
        if typ == "month":
            value = value.replace(day=1)
        return value.strftime(date_format or "%Y-%m-%d")
    if typ == "numeric":
        amount = Decimal(value)  # type: ignore[arg-type]
        if amount_format and "thousands" in amount_format:
            return f"{amount:,.2f}"
        return f"{amount:.2f}"
    if typ == "timestamptz":
        assert isinstance(value, datetime)
        return value.astimezone(TZ).isoformat(sep=" ")
    if typ == "bool":
        return "true" if value else "false"
    return str(value)


def json_value(value: object, typ: str, date_format: str | None = None) -> object:
    """JSON value for the partner API: strings, numbers or null (delivery.md)."""
    if value is None or type(value) is str:
        return value
    if typ == "numeric":
        return float(Decimal(value))  # type: ignore[arg-type]
    if typ == "int":
        return int(value)  # type: ignore[call-overload]
    return fmt_value(value, typ, date_format)


def impossible_date(typ: str, date_format: str | None) -> str:
    """A value in the feed's own date layout that no calendar has (Feb 30 / month 13)."""
    fmt = date_format or "%Y-%m-%d"
    month = "13" if typ == "month" else "02"
    return fmt.replace("%Y", "2026").replace("%m", month).replace("%d", "30")
