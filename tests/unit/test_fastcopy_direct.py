"""The direct path's block check and rewrite (ingest/fastcopy_direct.py), byte for byte; its
loads are compared with the Python reader's in tests/integration/test_fastcopy_cases.py."""

from __future__ import annotations

import pytest

from ingest.catalogue import load_catalogue
from ingest.fastcopy import PY_CODECS
from ingest.fastcopy_direct import NotDirect, check_block, meta_suffix, plan

CAT = load_catalogue()
PG15 = 150000


def _codec(d) -> str:  # type: ignore[no-untyped-def]
    return PY_CODECS[d.encoding or "utf-8"]


def _plan(unit: str, feed: str):  # type: ignore[no-untyped-def]
    d = CAT.delivery(unit, feed)
    p = plan(d, list(d.feed.column_names), PG15, _codec(d))
    assert p is not None
    return p


def test_months_get_their_day_and_every_line_its_meta_columns_and_number():
    p = _plan("RS-YLJ", "rs_pension")  # id_number, pay_month (%Y%m), scheme, amount
    block = b'210102194905235531,201601,employee,2290.00\r\n"=""2101""",202612,resident,\r\nX1,190001,,1'
    checked = check_block(p, block, 98, meta_suffix(p, 7, "2026-10-31", 1, "a,b.csv"))
    assert checked.lines == 3
    assert checked.data == (
        b'210102194905235531,2016-01-01,employee,2290.00,7,2026-10-31,1,"a,b.csv",098\r\n'
        b'"=""2101""",2026-12-01,resident,,7,2026-10-31,1,"a,b.csv",099\r\n'
        b'X1,1900-01-01,,1,7,2026-10-31,1,"a,b.csv",100')


@pytest.mark.parametrize("line", [
    b"2101,201601,employee",  # a field short
    b"2101,201601,employee,1,2",  # a field over
    b'2101,201601,"employee,x",1',  # a delimiter inside quotes
    b'2101,201601,em"ployee,1',  # a quote inside an unquoted field
    b"2101,2016-01,employee,1",  # not the feed's layout
    b"2101,201600,employee,1",
    b"2101,189912,employee,1",
    b",201601,employee,1",  # an empty key
    b"2101,,employee,1",
    b" \t,201601,employee,1",  # a blank key
    b"2101,201601, ,1",  # text of whitespace only
    b"2101,201601,employee,NaN",
])
def test_lines_the_direct_path_does_not_take(line):
    p = _plan("RS-YLJ", "rs_pension")
    with pytest.raises(NotDirect):
        check_block(p, b"2101,201601,employee,1\n" + line + b"\n", 2, b",1,2026-10-31,1,f,")


def test_files_the_direct_path_does_not_plan():
    d = CAT.delivery("SC-SWJ", "sw_income")  # thousands-separated amounts
    assert plan(d, list(d.feed.column_names), PG15, _codec(d)) is None
    d = CAT.delivery("JR-BOCOM", "jr_deposit")  # gbk with "|", a possible trail byte
    assert plan(d, list(d.feed.column_names), PG15, _codec(d)) is None
    d = CAT.delivery("GA-HP", "ga_death")
    assert plan(d, [*d.feed.column_names, "备注"], PG15, _codec(d)) is None  # an extra column
    d = CAT.delivery("JR-ICBC", "jr_deposit")  # PostgreSQL 16 reads 1_000 as a number
    assert plan(d, list(d.feed.column_names), 160000, _codec(d)) is None
