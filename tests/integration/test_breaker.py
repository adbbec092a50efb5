"""The circuit breaker: a rule that jumps far beyond its recent level is held for a person;
the other rules go on; a release sends it; a rerun does not hold a released rule again."""

from __future__ import annotations

from datetime import date, timedelta

from support import platform_client as client
from support import set_warnings, warning, wid

from ingest import breaker, cli, publish

D1 = date(2026, 11, 23)
SETTINGS = breaker.BreakerSettings(factor=3, min_jump=5, window=7, min_history=2)


def of_rule(n: int, rule: str) -> dict:
    w = warning(n)
    return {**w, "rule": rule, "warning_id": wid(w["case_ref"], w["subject"], rule=rule)}


def run_day(conn, server, day: date, rows: list[dict]) -> list[breaker.RuleCheck]:
    set_warnings(conn, rows)
    publish.revise(conn, day)
    checks = breaker.check(conn, day, SETTINGS)
    publish.push_pending(conn, client(server))
    return checks


def test_first_runs_never_trip(wh, platform):
    checks = run_day(wh, platform, D1, [of_rule(n, "W01") for n in range(300)])
    assert [(c.rule, c.today, c.level, c.tripped) for c in checks] == [("W01", 300, None, False)]
    assert platform.counts()["revisions"] == 300


def test_a_tripped_breaker_holds_only_its_rule_until_released(wh, platform, monkeypatch, fresh_db, caplog):
    rows: list[dict] = []
    for i in range(3):  # three ordinary days: two new warnings per rule each
        rows += [of_rule(10 * i + k, rule) for k in range(2) for rule in ("W01", "W02")]
        checks = run_day(wh, platform, D1 + timedelta(days=i), rows)
        assert not any(c.tripped for c in checks)
    day = D1 + timedelta(days=3)
    broken = [of_rule(1000 + k, "W01") for k in range(40)]  # a broken death file
    rows += broken + [of_rule(100 + k, "W02") for k in range(2)]
    before = platform.counts()["revisions"]
    checks = {c.rule: c for c in run_day(wh, platform, day, rows)}

    assert checks["W01"].tripped and checks["W01"].held == 40 and checks["W01"].level == 2
    assert not checks["W02"].tripped
    assert platform.counts()["revisions"] == before + 2  # W02 went on, W01 held
    message = checks["W01"].message(day)
    assert "rule W01 made 40 revision(s)" in message and "recent level 2" in message
    assert f"release-rule W01 --business-date {day}" in message
    assert any("CIRCUIT BREAKER: rule W01" in r.getMessage() for r in caplog.records)
    assert breaker.held(wh) == [("W01", day, 40)]
    stored = wh.execute("select tripped, today_count, held_rows from publish.breaker_checks "
                        "where business_date = %s and rule = 'W01'", (day,)).fetchone()
    assert stored == (True, 40, 40)

    # a rerun of the day before anyone looked: still held, nothing more sent
    run_day(wh, platform, day, rows)
    assert platform.counts()["revisions"] == before + 2 and breaker.held(wh) == [("W01", day, 40)]

    # the documented command releases it, recording who
    monkeypatch.setenv("WAREHOUSE_DSN", fresh_db)
    assert cli.main(["release-rule", "W01", "--business-date", day.isoformat(), "--by", "王科长"]) == 0
    assert cli.main(["release-rule", "W03", "--business-date", day.isoformat(), "--by", "王科长"]) == 1
    (by, n), = wh.execute("select released_by, released_rows from publish.breaker_releases").fetchall()
    assert (by, n) == ("王科长", 40)

    # the next push sends them; a rerun of the day does not hold them again
    summary = publish.push_pending(wh, client(platform))
    assert summary.accepted == 40 and platform.counts()["revisions"] == before + 42
    again = {c.rule: c for c in run_day(wh, platform, day, rows)}
    assert again["W01"].tripped and again["W01"].released and again["W01"].held == 0
    assert breaker.held(wh) == []
    assert wh.execute("select count(*) from publish.outbox where state <> 'accepted'").fetchone()[0] == 0
    held = {r["warning_id"] for r in platform.stored()}
    assert {w["warning_id"] for w in broken} <= held


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("BREAKER_FACTOR", "5")
    monkeypatch.setenv("BREAKER_MIN_JUMP", "100")
    assert breaker.BreakerSettings.from_env() == breaker.BreakerSettings(factor=5, min_jump=100)
