"""The loader's compiled per-column parsers give exactly what ``parse_value`` gives (same value,
same type, same error) for every column of the catalogue: the speed-up weakens no check."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ingest.catalogue import load_catalogue
from ingest.values import BadValue, column_parser, parse_value

CAT = load_catalogue()
SAMPLES = [
    "", " ", "2020-01-05", "2020-1-5", "2020-13-01", "2020-02-30", "20200105", "2020010", "202001", "202013",
    "2020-01", "2020-1", "２０２０-01-05", "2020-01-05 ", " 20200105", "+2020-01-05", "2020-01-01", "20201001",
    "202010", "0000-01-01", "2020-00-10", "20200100", "12,345.67", "1,234", "905.00", "abc", "NaN", "inf",
    "-Infinity", "1e3", "-0", " 12.5 ", "1_000", "١٢", "99999999999999999", "3000000000", "-2147483648",
    "2020-10-01T00:00:00+08:00", "2020-10-01 00:00:00", "true", "0", None, 12, 12.5, date(2020, 1, 1),
    datetime(2020, 1, 1, 3), date(2020, 1, 5),
]


def outcome(fn, value):
    try:
        result = fn(value)
    except BadValue as exc:
        return ("bad", str(exc))
    return ("ok", result, type(result))


@pytest.mark.parametrize("feed", sorted(CAT.feeds))
def test_compiled_parsers_equal_parse_value(feed):
    f = CAT.feeds[feed]
    for column in f.columns:
        compiled = column_parser(column, f)
        for value in SAMPLES:
            assert outcome(compiled, value) == outcome(lambda v, c=column: parse_value(v, c, f), value), (
                column.name, value)


def test_values_that_would_break_the_copy_are_bad_values():
    beds, inst = CAT.feeds["mz_eldercare_institution"].column("licensed_beds"), CAT.feeds["mz_eldercare_institution"]
    amount, pay = CAT.feeds["mz_payment"].column("amount"), CAT.feeds["mz_payment"]
    for value, column, feed in [("inf", beds, inst), ("3000000000", beds, inst),
                                ("99999999999999999", amount, pay), ("-inf", amount, pay)]:
        with pytest.raises(BadValue):
            parse_value(value, column, feed)
