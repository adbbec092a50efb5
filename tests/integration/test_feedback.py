"""Verification feedback: outcomes set at the reference platform reach the precision view;
pulling again duplicates nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from support import platform_client as client
from support import set_warnings, warning, wid

from ingest import feedback, publish

D = date(2026, 11, 29)


def precision(conn) -> list[tuple]:
    return conn.execute(
        """select rule, district_code, month, warnings, pending, assigned, confirmed, dismissed,
                  precision, amount_confirmed from feedback.rule_precision order by rule, district_code"""
    ).fetchall()


def test_outcomes_reach_the_precision_view_once(wh, platform):
    w02 = {**warning(9), "rule": "W02", "warning_id": wid("DB000009", warning(9)["subject"], rule="W02"),
           "district_code": "210106", "amount_at_risk": "300.00"}
    rows = [warning(n, amount=f"{1000 * (n + 1)}.00") for n in range(4)] + [w02]
    set_warnings(wh, rows)
    publish.revise(wh, D)
    publish.push_pending(wh, client(platform))

    first = feedback.pull(wh, client(platform), page=2)  # several pages
    assert first.items == 5 and first.changed == 5
    assert precision(wh) == [
        ("W01", "210105", date(2026, 11, 1), 4, 4, 0, 0, 0, None, Decimal("0.00")),
        ("W02", "210106", date(2026, 11, 1), 1, 1, 0, 0, 0, None, Decimal("0.00"))]

    ids = [r["warning_id"] for r in rows]
    platform.set_verification(ids[0], "confirmed", note="核实属实")
    platform.set_verification(ids[1], "confirmed")
    platform.set_verification(ids[2], "dismissed", note="已于死亡前停发")
    platform.set_verification(ids[3], "assigned")
    platform.set_verification(ids[4], "dismissed")
    second = feedback.pull(wh, client(platform))
    assert second.changed == 5
    assert precision(wh) == [
        ("W01", "210105", date(2026, 11, 1), 4, 0, 1, 2, 1, Decimal("0.6667"), Decimal("3000.00")),
        ("W02", "210106", date(2026, 11, 1), 1, 0, 0, 0, 1, Decimal("0.0000"), Decimal("0.00"))]

    # pulling again: the inclusive boundary is read again, nothing is duplicated or changed
    third = feedback.pull(wh, client(platform))
    assert third.items >= 1 and third.changed == 0
    assert wh.execute("select count(*) from publish.verifications").fetchone()[0] == 5
    assert wh.execute("select count(*) from publish.verification_history").fetchone()[0] == 10
    assert len(precision(wh)) == 2
    note = wh.execute("select note from publish.verifications where warning_id = %s", (ids[2],)).fetchone()[0]
    assert note == "已于死亡前停发"

    # a verifier changes their mind: the newer outcome wins, history keeps both
    platform.set_verification(ids[2], "confirmed")
    feedback.pull(wh, client(platform))
    assert precision(wh)[0][6:9] == (3, 0, Decimal("1.0000"))
    states = wh.execute("select state from publish.verification_history where warning_id = %s "
                        "order by updated_at", (ids[2],)).fetchall()
    assert [s for (s,) in states] == ["pending", "dismissed", "confirmed"]


def test_the_watermark_survives_and_starts_at_the_beginning(wh, platform):
    assert feedback.pull(wh, client(platform)).items == 0
    assert wh.execute("select count(*) from publish.verification_watermark").fetchone()[0] == 0
    set_warnings(wh, [warning(1)])
    publish.revise(wh, D)
    publish.push_pending(wh, client(platform))
    assert feedback.pull(wh, client(platform)).items == 1
    mark = wh.execute("select updated_since from publish.verification_watermark").fetchone()[0]
    held = client(platform).get_warning(warning(1)["warning_id"])
    assert mark == feedback._parse(held["verification"]["updated_at"])
