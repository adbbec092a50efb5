"""The circuit breaker before the push: a rule whose warnings jump far beyond its recent level
is held for a person to release; the other rules go on.

A partner sending a broken file (say, a death file in which every row is a death) makes one
rule raise hundreds of warnings overnight. Those must not reach the discipline-inspection
platform unseen. So after ``publish.revise`` and before ``publish.push_pending``:

* **today's count** of a rule = the revisions (new, changed or withdrawn) made for business
  date D, read from ``publish.warning_revisions`` (so a rerun of D counts the same);
* **recent level** = the median of the rule's counts over the last ``window`` business dates
  before D on which the breaker ran (a date without revisions of the rule counts 0);
* the rule **trips** when it has at least ``min_history`` such dates, and today's count exceeds
  both ``factor`` × level and level + ``min_jump``. The first runs (no history) never trip.

A tripped rule's pending outbox rows of D are set ``held`` and a message names the rule, its
count and its level. A person looks at them and releases the rule for D::

    python -m ingest.cli release-rule W01 --business-date 2026-11-29 --by "王科长"

which records who and when in ``publish.breaker_releases`` and puts the rows back to
``pending``: the next push (the next run, or a rerun of D) sends them. A rerun of D after a
release does not hold them again.

Settings (environment, read at run time): ``BREAKER_FACTOR`` (default 3), ``BREAKER_MIN_JUMP``
(default 50), ``BREAKER_WINDOW`` (default 7 business dates), ``BREAKER_MIN_HISTORY`` (default 3).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date
from statistics import median

import psycopg

log = logging.getLogger(__name__)

DDL = """
create table if not exists publish.breaker_checks (
    business_date date not null,
    rule          text not null,
    today_count   integer not null,
    recent_level  numeric,
    history_days  integer not null,
    tripped       boolean not null,
    held_rows     integer not null default 0,
    message       text,
    checked_at    timestamptz not null default now(),
    primary key (business_date, rule)
);
create table if not exists publish.breaker_runs (
    business_date date primary key,
    checked_at    timestamptz not null default now()
);
create table if not exists publish.breaker_releases (
    release_id    bigserial primary key,
    business_date date not null,
    rule          text not null,
    released_by   text not null,
    released_at   timestamptz not null default now(),
    released_rows integer not null
);
"""


@dataclass(frozen=True)
class BreakerSettings:
    factor: float = 3.0
    min_jump: int = 50
    window: int = 7
    min_history: int = 3

    @classmethod
    def from_env(cls) -> BreakerSettings:
        def get(name: str, default: float, kind: type) -> float:
            value = os.environ.get(name, "").strip()
            return kind(value) if value else default

        return cls(factor=get("BREAKER_FACTOR", cls.factor, float),
                   min_jump=int(get("BREAKER_MIN_JUMP", cls.min_jump, int)),
                   window=int(get("BREAKER_WINDOW", cls.window, int)),
                   min_history=int(get("BREAKER_MIN_HISTORY", cls.min_history, int)))


@dataclass
class RuleCheck:
    rule: str
    today: int
    level: float | None
    history_days: int
    tripped: bool
    held: int = 0
    released: bool = False

    def message(self, business_date: date) -> str:
        level = "no history" if self.level is None else f"recent level {self.level:g}"
        if not self.tripped:
            return f"rule {self.rule}: {self.today} revision(s) on {business_date} ({level})"
        return (f"CIRCUIT BREAKER: rule {self.rule} made {self.today} revision(s) on {business_date}, "
                f"far beyond its {level} over {self.history_days} business date(s); "
                f"{self.held} warning revision(s) held, the other rules go on. Check the partner data, "
                f"then release: python -m ingest.cli release-rule {self.rule} "
                f"--business-date {business_date} --by NAME")


def ensure_tables(conn: psycopg.Connection) -> None:
    from ingest import publish

    publish.ensure_tables(conn)
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('minzheng.publish_ddl'))")
        conn.execute(DDL)


def check(conn: psycopg.Connection, business_date: date,
          settings: BreakerSettings | None = None) -> list[RuleCheck]:
    """Compare each rule's revisions of D with its recent level; hold the rules that jumped."""
    s = settings or BreakerSettings.from_env()
    ensure_tables(conn)
    results: list[RuleCheck] = []
    with conn.transaction():
        conn.execute("lock table publish.breaker_runs in exclusive mode")
        history_dates = [r[0] for r in conn.execute(
            "select business_date from publish.breaker_runs where business_date < %s "
            "order by business_date desc limit %s", (business_date, s.window)).fetchall()]
        today = dict(conn.execute(
            "select rule, count(*) from publish.warning_revisions where business_date = %s group by rule",
            (business_date,)).fetchall())
        past: dict[str, dict[date, int]] = {}
        for rule, day, n in conn.execute(
                "select rule, business_date, count(*) from publish.warning_revisions "
                "where business_date = any(%s) group by rule, business_date", (history_dates,)).fetchall():
            past.setdefault(rule, {})[day] = n
        released = {r[0] for r in conn.execute(
            "select distinct rule from publish.breaker_releases where business_date = %s",
            (business_date,)).fetchall()}
        for rule in sorted(set(today) | set(past)):
            counts = [past.get(rule, {}).get(d, 0) for d in history_dates]
            level = float(median(counts)) if counts else None
            n = today.get(rule, 0)
            tripped = (level is not None and len(counts) >= s.min_history
                       and n > s.factor * level and n > level + s.min_jump)
            result = RuleCheck(rule, n, level, len(counts), tripped, released=rule in released)
            if tripped and not result.released:
                result.held = conn.execute(
                    """update publish.outbox o set state = 'held', detail = %s
                       from publish.warning_revisions r
                       where r.warning_id = o.warning_id and r.revision = o.revision
                         and r.rule = %s and r.business_date = %s and o.state in ('pending', 'held')""",
                    ("held by the circuit breaker", rule, business_date)).rowcount
            conn.execute(
                """insert into publish.breaker_checks (business_date, rule, today_count, recent_level,
                                                       history_days, tripped, held_rows, message)
                   values (%s, %s, %s, %s, %s, %s, %s, %s)
                   on conflict (business_date, rule) do update set today_count = excluded.today_count,
                       recent_level = excluded.recent_level, history_days = excluded.history_days,
                       tripped = excluded.tripped, held_rows = excluded.held_rows,
                       message = excluded.message, checked_at = now()""",
                (business_date, rule, n, level, len(counts), tripped, result.held,
                 result.message(business_date)))
            results.append(result)
        conn.execute("insert into publish.breaker_runs (business_date) values (%s) on conflict do nothing",
                     (business_date,))
    for r in results:
        if r.tripped and not r.released:
            log.error(r.message(business_date))
        elif r.tripped:
            log.warning("rule %s jumped on %s but was released by a person: not held again",
                        r.rule, business_date)
    return results


class NothingHeld(RuntimeError):
    """release-rule named a rule and date with no held warnings."""


def release(conn: psycopg.Connection, rule: str, business_date: date, by: str) -> int:
    """A person releases a held rule for D: its held rows go back to pending, with an audit row."""
    if not by.strip():
        raise ValueError("say who releases (--by NAME)")
    ensure_tables(conn)
    with conn.transaction():
        n = conn.execute(
            """update publish.outbox o set state = 'pending', detail = null
               from publish.warning_revisions r
               where r.warning_id = o.warning_id and r.revision = o.revision
                 and r.rule = %s and r.business_date = %s and o.state = 'held'""",
            (rule, business_date)).rowcount
        tripped = conn.execute("select 1 from publish.breaker_checks where business_date = %s and rule = %s "
                               "and tripped", (business_date, rule)).fetchone()
        if not n and not tripped:
            raise NothingHeld(f"rule {rule} is not held for business date {business_date}")
        conn.execute("insert into publish.breaker_releases (business_date, rule, released_by, released_rows) "
                     "values (%s, %s, %s, %s)", (business_date, rule, by.strip(), n))
    log.warning("rule %s of %s released by %s: %s warning revision(s) go with the next push",
                rule, business_date, by, n)
    return n


def held(conn: psycopg.Connection) -> list[tuple[str, date, int]]:
    """(rule, business_date, rows) still held, for operators and the run's summary."""
    ensure_tables(conn)
    return conn.execute(
        """select r.rule, r.business_date, count(*) from publish.outbox o
           join publish.warning_revisions r using (warning_id, revision)
           where o.state = 'held' group by 1, 2 order by 2, 1""").fetchall()
