"""File deliveries per delivery.md, against a real PostgreSQL: every fault the spec names.

Deliveries are written by the rig's partner writer (rig.landing), which follows the spec
independently of the loader under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.catalogue import load_catalogue
from ingest.files import load_file_deliveries
from ingest.warehouse import ensure_raw_indexes, ensure_schema
from rig.landing import write_delivery

CAT = load_catalogue()
D1, D2 = date(2026, 11, 28), date(2026, 11, 29)


def deaths(n: int, start: int = 0) -> list[dict]:
    return [
        {"公民身份号码": f"21010519491231{(start + i) % 10000:04d}", "姓名": f"人{start + i}",
         "死亡日期": date(2020, 1, 1 + (i % 28)), "注销日期": date(2020, 2, 1), "派出所": "北陵派出所"}
        for i in range(n)
    ]


def load(conn, landing: Path, unit: str = "GA-HP", feed: str = "ga_death"):
    return load_file_deliveries(conn, landing, CAT.delivery(unit, feed))


def count(conn, sql: str, *args) -> int:
    return conn.execute(sql, args).fetchone()[0]


def raw_rows(conn, feed: str = "ga_death") -> int:
    return count(conn, f"select count(*) from raw.{feed}")


@pytest.mark.parametrize(
    ("unit", "encoding_or_format"),
    [("GA-HP", "utf-8"), ("GA-DD", "gbk"), ("GA-HG", "utf-8-sig"), ("GA-LZ", "xlsx")],
)
def test_each_encoding_and_format_loads_every_row(warehouse, tmp_path, unit, encoding_or_format):
    write_delivery(tmp_path, unit, "ga_death", D1, deaths(25))
    [outcome] = load(warehouse, tmp_path, unit)
    assert (outcome.status, outcome.rows_loaded, outcome.rows_quarantined) == ("loaded", 25, 0)
    assert raw_rows(warehouse) == 25
    name, died = warehouse.execute(
        'select "姓名", "死亡日期" from raw.ga_death where _line = 2').fetchone()
    assert (name, died) == ("人0", date(2020, 1, 1))


def test_xlsx_with_date_cells(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-FK", "ga_death", D1, deaths(5), date_cells=True)
    [outcome] = load(warehouse, tmp_path, "GA-FK")
    assert outcome.rows_loaded == 5
    assert count(warehouse, 'select count(*) from raw.ga_death where "死亡日期" is not null') == 5


def test_pipe_delimited_gbk_bank_snapshot(warehouse, tmp_path):
    rows = [{"id_number": "210105194912310023", "account_no": f"62****{i:04d}", "product": "current",
             "balance": 1234.5 + i, "as_of_date": date(2026, 10, 31)} for i in range(10)]
    write_delivery(tmp_path, "JR-BOCOM", "jr_deposit", date(2026, 10, 31), rows)
    [outcome] = load(warehouse, tmp_path, "JR-BOCOM", "jr_deposit")
    assert outcome.rows_loaded == 10
    assert count(warehouse, "select sum(balance)::int from raw.jr_deposit") == int(sum(1234.5 + i for i in range(10)))


def test_thousands_separators_in_tax_amounts(warehouse, tmp_path):
    rows = [{"纳税人身份证号": "210105194912310023", "姓名": "张三", "所属期": date(2026, 10, 1),
             "扣缴单位": "沈阳某公司", "收入额": 12345.67, "已缴税额": 1234.5}]
    write_delivery(tmp_path, "SC-SWJ", "sw_income", date(2026, 10, 31), rows)
    [outcome] = load(warehouse, tmp_path, "SC-SWJ", "sw_income")
    assert outcome.rows_loaded == 1
    assert str(warehouse.execute('select "收入额" from raw.sw_income').fetchone()[0]) == "12345.67"


@pytest.mark.parametrize("fault", ["checksum_mismatch", "row_count_mismatch"])
def test_manifest_mismatch_rejects_the_whole_delivery(warehouse, tmp_path, fault):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(10), faults=fault)
    [outcome] = load(warehouse, tmp_path)
    assert outcome.status == "rejected"
    assert raw_rows(warehouse) == 0
    status, reason = warehouse.execute("select status, reason from meta.deliveries").fetchone()
    assert status == "rejected" and ("sha256" in reason or "manifest says" in reason)


def test_folder_without_manifest_is_left_alone(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(3), faults="no_manifest")
    assert load(warehouse, tmp_path) == []
    assert count(warehouse, "select count(*) from meta.deliveries") == 0


def test_missing_column_is_schema_drift_and_fails_the_delivery(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(3), faults={"missing_column": "派出所"})
    [outcome] = load(warehouse, tmp_path)
    assert outcome.status == "rejected" and "schema drift" in outcome.reason and "派出所" in outcome.reason
    assert raw_rows(warehouse) == 0


def test_unknown_extra_column_is_kept_and_reported(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(3), faults="extra_column")
    [outcome] = load(warehouse, tmp_path)
    assert outcome.status == "loaded" and outcome.extra_columns == ["备注"]
    assert count(warehouse, "select count(*) from raw.ga_death where _extra ? '备注'") == 3
    assert "schema drift" in warehouse.execute("select reason from meta.deliveries").fetchone()[0]


def test_bad_rows_are_quarantined_with_reason_and_the_rest_loads(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-DD", "ga_death", D1, deaths(10),
                   faults={"bad_rows": {1: "date", 4: "fields"}})
    [outcome] = load(warehouse, tmp_path, "GA-DD")
    assert (outcome.status, outcome.rows_loaded, outcome.rows_quarantined) == ("loaded", 8, 2)
    rows = warehouse.execute("select line, reason, raw_text from meta.quarantine order by line").fetchall()
    assert [r[0] for r in rows] == [3, 6]
    assert "bad date" in rows[0][1] and "fields" in rows[1][1]
    assert all(r[2] for r in rows)
    assert raw_rows(warehouse) + len(rows) == 10


def test_quoted_line_break_counts_as_one_record(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(4), faults="quoted_newline")
    [outcome] = load(warehouse, tmp_path)
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 4)


def test_empty_delivery_is_valid(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(5), faults="empty")
    [outcome] = load(warehouse, tmp_path)
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 0)


def test_rerun_changes_nothing(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(5))
    load(warehouse, tmp_path)
    before = (raw_rows(warehouse), count(warehouse, "select count(*) from meta.deliveries"))
    [again] = load(warehouse, tmp_path)
    assert again.status == "seen"
    assert (raw_rows(warehouse), count(warehouse, "select count(*) from meta.deliveries")) == before


def test_redelivery_replaces_the_earlier_delivery_whole(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(5))
    load(warehouse, tmp_path)
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(3, start=100), sequence=2)
    [outcome] = load(warehouse, tmp_path)
    assert (outcome.status, outcome.sequence, outcome.rows_loaded) == ("loaded", 2, 3)
    assert raw_rows(warehouse) == 3
    assert count(warehouse, "select count(*) from raw.ga_death where _sequence = 1") == 0
    statuses = warehouse.execute("select sequence, status from meta.deliveries order by sequence").fetchall()
    assert statuses == [(1, "superseded"), (2, "loaded")]


def test_duplicate_sequence_is_skipped_even_if_files_differ(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(5))
    load(warehouse, tmp_path)
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(7, start=50), sequence=1)
    [outcome] = load(warehouse, tmp_path)
    assert outcome.status == "duplicate" and "already loaded" in outcome.reason
    assert raw_rows(warehouse) == 5
    [again] = load(warehouse, tmp_path)  # seeing the same duplicate again adds nothing
    assert again.status == "seen"
    assert count(warehouse, "select count(*) from meta.deliveries") == 2


def test_rejected_delivery_then_fixed_redelivery(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(5))
    load(warehouse, tmp_path)
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(6), sequence=2, faults="checksum_mismatch")
    [bad] = load(warehouse, tmp_path)
    assert bad.status == "rejected" and raw_rows(warehouse) == 5  # the loaded one stays
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(6), sequence=3)
    [good] = load(warehouse, tmp_path)
    assert good.status == "loaded" and raw_rows(warehouse) == 6


def test_several_dates_load_oldest_first_and_count_exactly(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-TX", "ga_death", D2, deaths(4, start=10))
    write_delivery(tmp_path, "GA-TX", "ga_death", D1, deaths(6))
    outcomes = load(warehouse, tmp_path, "GA-TX")
    assert [o.business_date for o in outcomes] == [D1, D2]
    assert raw_rows(warehouse) == 10
    by_date = dict(warehouse.execute(
        "select _business_date, count(*) from raw.ga_death group by 1").fetchall())
    assert by_date == {D1: 6, D2: 4}


def test_manifest_for_another_unit_is_rejected(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(2))
    folder = tmp_path / "GA-HP" / "ga_death" / "20261128"
    target = tmp_path / "GA-SH" / "ga_death" / "20261128"
    target.parent.mkdir(parents=True)
    folder.rename(target)
    [outcome] = load(warehouse, tmp_path, "GA-SH")
    assert outcome.status == "rejected" and "manifest names GA-HP" in outcome.reason


def test_a_new_raw_table_is_indexed_after_its_first_load(warehouse, tmp_path):
    """A raw table's BRIN on _delivery_id is built in one scan once the first loads are in (row by
    row it costs ~15 % of a history file's COPY); an index that exists is left alone."""
    brin = "select count(*) from pg_indexes where schemaname = 'raw' and indexdef like '%%USING brin (_delivery_id)%%'"
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(3))
    load(warehouse, tmp_path)
    assert raw_rows(warehouse) == 3 and count(warehouse, brin) == 0
    indexed = ensure_raw_indexes(warehouse)
    assert sorted(indexed) == sorted(CAT.feeds) and count(warehouse, brin) == len(CAT.feeds)
    assert ensure_raw_indexes(warehouse) == []
    # a database from before the BRIN: its btree goes at the next ensure_schema, the BRIN comes after
    warehouse.execute("drop index raw.ga_death__delivery_brin")
    warehouse.execute("create index ga_death__delivery on raw.ga_death (_delivery_id)")
    ensure_schema(warehouse)
    assert count(warehouse, "select count(*) from pg_indexes where indexname = 'ga_death__delivery'") == 0
    assert ensure_raw_indexes(warehouse) == ["ga_death"]


def test_a_writer_savepoint_undoes_what_its_block_wrote(warehouse):
    """A loader that gives up on one way of reading a file (the direct path) leaves the delivery
    as it was: the raw rows, the count, the quarantine and the extra columns of the block go."""
    from ingest.ledger import DeliveryKey
    from ingest.rawload import RawWriter

    feed = CAT.delivery("GA-HP", "ga_death").feed
    writer = RawWriter(warehouse, feed, DeliveryKey("GA-HP", "ga_death", "file", D1, 1, "f"), 1)
    row = {"公民身份号码": "210105194912310001", "姓名": "甲", "死亡日期": "20200101",
           "注销日期": "20200201", "派出所": "所"}
    with warehouse.transaction():
        writer.add(row, file="a.csv", line=2, raw_text="kept")
        with pytest.raises(RuntimeError), writer.savepoint():
            writer.add({**row, "多余": "x"}, file="a.csv", line=3, raw_text="extra")
            writer.add({**row, "死亡日期": "not a date"}, file="a.csv", line=4, raw_text="bad")
            assert (writer.rows, len(writer.quarantined), writer.extra_columns) == (2, 1, {"多余"})
            raise RuntimeError("the next way, please")
        assert (writer.rows, writer.quarantined, writer.extra_columns) == (1, [], set())
        with writer.savepoint():  # a block that ends well keeps what it wrote
            writer.add(row, file="a.csv", line=5, raw_text="kept too")
        writer.finish()
    assert count(warehouse, "select count(*) from raw.ga_death") == 2
    assert count(warehouse, "select count(*) from meta.quarantine") == 0
