"""Planted situations: cases put into the world on purpose, each with the verdict it must get.

Dates are relative to the first business day F and to M0, the latest month already paid on
F, so any ``--first-date`` works. Each scenario names the business days on which it must (or
must not) fire; ``truth`` recomputes months and amounts from the world's own timeline, which
``generate`` compares with the file-based reference in ``reference.py``.
To plant for another rule, add a method and call it from ``plant_all``.
"""

from __future__ import annotations

from datetime import date, timedelta

from rig import ids
from rig.model import (
    Case,
    Claim,
    Member,
    Person,
    Planted,
    Redelivery,
    World,
    at,
    day_end,
    madd,
    mstart,
)
from rig.world import Builder

PREFIX = {"dibao": "DB", "tekun": "TK", "orphan": "ET", "unsupported_child": "ET", "disability_living": "CB",
          "disability_care": "CB", "elderly_allowance": "GL", "temp_assistance": "LS"}
Phase = tuple[date | None, date | None, bool]


class Planter:
    def __init__(self, b: Builder) -> None:
        self.b, self.w = b, b.world
        self.F = b.first
        # Pay days are the 8th..13th: from the 14th on, the month itself is paid everywhere.
        self.m0 = mstart(self.F) if self.F.day >= 14 else madd(mstart(self.F), -1)
        self.day2, self.day3 = self.F + timedelta(days=1), self.F + timedelta(days=2)
        self.police = b.police

    # ---- building blocks -----------------------------------------------------------
    def d(self, month_offset: int, day: int) -> date:
        return madd(self.m0, month_offset).replace(day=day)

    def person(self, birth: date, district: str, gender: int = 1, check: str | None = None) -> Person:
        """A planted person: clean number with the district as area code, no random death."""
        seq = gender % 2
        while True:
            number = ids.make_id(district, birth, seq)
            if number not in self.b.used and (check is None or number.endswith(check)):
                break
            seq += 2
        self.b.used.add(number)
        p = Person(number, self.b.rng.choice("王李张刘陈杨赵黄周吴") + ("建国" if gender == 1 else "秀兰"),
                   gender, birth, district, planted=True)
        self.w.persons.append(p)
        return p

    def case(self, program: str, district: str, payee: Person, approved: date, *,
             last_month: date | None = None, terminated: date | None = None, **detail: object) -> Case:
        c = self.b.new_case(program, PREFIX[program], district, payee, approved, detail=detail)
        c.planted, c.last_month, c.terminated = True, last_month, terminated
        if terminated:
            c.terminated_at = at(terminated, 11, 20)
        if program == "dibao":
            c.area, c.ratio = "urban" if district < "210115" else "rural", 0.8
            c.community = "北市街道北市社区" if c.area == "urban" else "新民屯镇王家村村"
            c.members.append(Member(payee, "applicant", approved, terminated))
        if program == "disability_care":
            c.detail.setdefault("grade", 1)
            c.detail.setdefault("type", 4)
        return c

    def dies(self, p: Person, when: date, *, ga: int | None = None, wj: int | None = None, mz: bool = False,
             ga_id: str | None = None, wj_id: str | None = None, ga_date: date | None = None,
             wj_date: date | None = None) -> None:
        """Report a death: ga/wj give the reporting lag in days (None: that source never reports)."""
        p.death = when
        b = self.b
        if ga is not None:
            b.add_report("ga", p, ga_date or when, when + timedelta(days=ga), ga_id or p.id_number,
                         place=b.stations[p.district][0])
        if wj is not None:
            b.add_report("wj", p, wj_date or when, when + timedelta(days=wj), wj_id or p.id_number,
                         place="沈阳市第一人民医院")
        if mz:
            cremated = when + timedelta(days=3)
            b.add_report("mz", p, when, cremated, p.id_number, place="沈阳市殡仪馆", at_=at(cremated, 15))

    def expect(self, name: str, case_ref: str, program: str, subject: str, phases: list[Phase], note: str,
               rule: str = "W01") -> None:
        for first, last, fire in phases:
            self.w.planted.append(Planted(name, rule, program, case_ref, subject, fire, first, last, note))

    def expect_case(self, name: str, c: Case, phases: list[Phase], note: str) -> None:
        self.expect(name, c.case_ref, c.program, c.payee.id_number, phases, note)

    # ---- W01 deceased_payee ----------------------------------------------------------
    def plant_w01(self) -> None:
        F, d2, d3 = self.F, self.day2, self.day3
        ALWAYS: list[Phase] = [(None, None, True)]
        NEVER: list[Phase] = [(None, None, False)]

        p = self.person(date(1957, 4, 12), "210103")
        self.dies(p, self.d(-44, 13), ga=9, wj=1, mz=True)
        self.expect_case("dibao_payee_dead_years", self.case("dibao", "210103", p, date(2015, 6, 10)), ALWAYS,
                         "applicant died ~3.7 years ago, all three sources know, household still paid")
        p = self.person(date(1949, 11, 3), "210123", 2)
        self.dies(p, self.d(-70, 4), ga=20, mz=True)
        self.expect_case("dibao_payee_dead_rural", self.case("dibao", "210123", p, date(2013, 2, 18)), ALWAYS,
                         "rural household, applicant died ~6 years ago, still paid")
        p = self.person(date(1951, 2, 27), "210106")
        self.dies(p, self.d(-9, 9), ga=12)
        self.expect_case("tekun_dead_ga_only", self.case("tekun", "210106", p, date(2017, 5, 4),
                                                         support_mode="dispersed"), ALWAYS,
                         "death known from ga_death only")
        p = self.person(date(1938, 7, 19), "210111", 2)
        self.dies(p, self.d(-12, 27), wj=2)
        self.expect_case("elderly_dead_wj_only", self.case("elderly_allowance", "210111", p, date(2018, 9, 3)),
                         ALWAYS, "death known from wj_death_certificate only")
        p = self.person(date(1976, 5, 30), "210112")
        self.dies(p, self.d(-2, 2), mz=True)
        self.expect_case("disability_dead_mz_only", self.case("disability_care", "210112", p, date(2019, 3, 12)),
                         ALWAYS, "death known from mz_death_cremation only")
        applicant, member = self.person(date(1966, 1, 8), "210113"), self.person(date(1969, 3, 2), "210113", 2)
        h = self.case("dibao", "210113", applicant, date(2016, 8, 22))
        h.members.append(Member(member, "spouse", h.approved))
        self.dies(member, self.d(-5, 17), ga=6, wj=0)
        self.expect_case("disability_living_member_dead",
                         self.case("disability_living", "210113", member, date(2017, 1, 9), grade=2, type=4),
                         ALWAYS, "living subsidy of a 低保 member (not the applicant) who died")
        kid = self.person(date(2012, 6, 1), "210114")
        self.dies(kid, self.d(-3, 5), ga=4)
        self.expect_case("orphan_payee_dead", self.case("orphan", "210114", kid, date(2020, 4, 16),
                                                        category="orphan", father=None, mother=None), ALWAYS,
                         "an orphan who died; child_welfare still paid")
        p = self.person(date(1960, 10, 10), "210104")
        self.dies(p, self.d(-5, 1), ga=10, wj=1, wj_date=self.d(-5, 1) - timedelta(days=1))
        self.expect_case("sources_disagree_earliest", self.case("dibao", "210104", p, date(2019, 7, 7)), ALWAYS,
                         "ga says the 1st of a month, wj the day before: the earlier date flags one month more")

        # Dirty identity numbers that must still match after normalisation (one source each).
        for name, kind, program, district, born, source in (
            ("dirty_id_legacy15", "legacy15", "elderly_allowance", "210102", date(1940, 3, 5), "ga"),
            ("dirty_id_fullwidth", "fullwidth", "tekun", "210105", date(1952, 8, 14), "wj"),
            ("dirty_id_lower_x", "lower_x", "dibao", "210104", date(1963, 12, 1), "ga"),
            ("dirty_id_apostrophe", "apostrophe", "disability_care", "210124", date(1971, 2, 9), "ga"),
            ("dirty_id_hyphens", "hyphens", "elderly_allowance", "210106", date(1941, 9, 23), "wj"),
            ("dirty_id_spaces", "spaces", "tekun", "210181", date(1950, 1, 17), "ga"),
        ):
            p = self.person(born, district, check="X" if kind == "lower_x" else None)
            raw = ids.dirty(p.id_number, kind)
            when = self.d(-4 - len(name) % 5, 11)
            if source == "ga":
                self.dies(p, when, ga=8, ga_id=raw)
            else:
                self.dies(p, when, wj=1, wj_id=raw)
            self.expect_case(name, self.case(program, district, p, date(2018, 4, 2)), ALWAYS,
                             f"{source} carries the number as {raw!r}")

        # Negative controls.
        p = self.person(date(1955, 5, 5), "210102")
        self.dies(p, self.d(-10, 19), ga=5, wj=0, mz=True)
        self.expect_case("neg_death_same_month_as_last_payment",
                         self.case("dibao", "210102", p, date(2016, 3, 3), last_month=self.d(-10, 1),
                                   terminated=self.d(-10, 27)), NEVER,
                         "died in the month of its last payment: that month is not flagged")
        p = self.person(date(1935, 1, 30), "210103", 2)
        self.dies(p, self.d(-9, 1), ga=7, mz=True)
        self.expect_case("neg_death_on_first_of_last_paid_month",
                         self.case("elderly_allowance", "210103", p, date(2016, 2, 2), last_month=self.d(-9, 1),
                                   terminated=self.d(-9, 20)), NEVER,
                         "died on the 1st of the last paid month: death < M_start is strict")
        p = self.person(date(1948, 6, 6), "210111")
        self.dies(p, self.d(-8, 1), ga=3, wj=0)
        self.expect_case("neg_death_on_first_after_last_paid",
                         self.case("tekun", "210111", p, date(2016, 9, 9), last_month=self.d(-9, 1),
                                   terminated=self.d(-8, 5), support_mode="dispersed"), NEVER,
                         "died on the 1st of the month after the last paid month")
        p = self.person(date(1959, 2, 14), "210114", 2)
        self.dies(p, self.d(-12, 15), ga=30, mz=True)
        c = self.case("dibao", "210114", p, date(2017, 11, 1), last_month=self.d(-9, 1), terminated=self.d(-8, 9))
        for k in (-11, -10, -9):
            c.reversed[madd(self.m0, k)] = at(self.d(-8, 15), 10)
        self.expect_case("neg_reversed_after_death", c, NEVER,
                         "paid 3 months after death, all 3 payments reversed later")
        p = self.person(date(1947, 4, 4), "210115")
        self.dies(p, self.d(-20, 10), ga=6, wj=1)
        c = self.case("tekun", "210115", p, date(2016, 5, 5), last_month=self.d(-14, 1), support_mode="dispersed")
        c.deleted_at = at(self.d(-14, 25), 16)
        self.expect_case("neg_deleted_case", c, NEVER, "paid 6 months after death but the case row is deleted")
        p = self.person(date(1962, 12, 12), "210112", 2)
        self.dies(p, self.d(-6, 3), ga=5, wj=0)
        c = self.case("temp_assistance", "210112", p, self.d(-4, 2), amount_fen=200000, reason="illness",
                      paid_at=at(self.d(-4, 10), 14))
        c.first_month = self.d(-4, 1)
        self.expect_case("neg_temp_assistance_after_death", c, NEVER, "temp_assistance is one-off: not W01")
        p = self.person(date(1958, 8, 8), "210106")
        raw = ids.dirty(p.id_number, "wrong_check")
        self.b.add_report("ga", p, self.d(-15, 2), self.d(-15, 20), raw, place=self.b.stations["210106"][1])
        self.expect_case("neg_invalid_id_wrong_check", self.case("dibao", "210106", p, date(2016, 4, 4)), NEVER,
                         f"a ga_death row carries {raw!r} (wrong check char) for a living payee")
        p = self.person(date(1939, 3, 3), "210115", 2)
        raw = ids.dirty(p.id_number, "scientific")
        self.b.add_report("ga", p, self.d(-13, 7), self.d(-13, 21), raw, place=self.b.stations["210115"][0])
        self.expect_case("neg_invalid_id_scientific", self.case("elderly_allowance", "210115", p, date(2019, 5, 5)),
                         NEVER, f"an xlsx ga_death row carries {raw!r} for a living payee")
        p = self.person(date(1940, 10, 1), "210105")
        inst = next(i for i in self.w.institutions if i.district == "210105" and i.ownership == "public")
        self.dies(p, self.d(-5, 12), ga=4, mz=True)
        self.case("tekun", "210105", p, date(2018, 2, 2), last_month=self.d(-5, 1), terminated=self.d(-5, 22),
                  support_mode="centralized", institution_id=inst.institution_id, care_level="full")
        claims = [self.b.claim(inst, madd(self.m0, k), p, "full", 30000) for k in (-4, -3)]
        for cl in claims:
            cl.deleted_at, cl.paid_at = None, at(madd(cl.month, 1).replace(day=20), 15)
        self.expect("neg_eldercare_subsidy_after_death", claims[0].claim_id, "eldercare_subsidy", p.id_number,
                    NEVER, "institution claimed and was paid for a dead resident: W14, not W01")

        # Changes on later business days.
        p = self.person(date(1942, 2, 2), "210102", 2)
        self.dies(p, self.d(-3, 9), ga=(d2 - self.d(-3, 9)).days)
        self.expect_case("late_death_new_warning", self.case("elderly_allowance", "210102", p, date(2021, 6, 6)),
                         [(None, F, False), (d2, None, True)], "ga_death reports the death on day 2 only")
        p = self.person(date(1961, 7, 7), "210103")
        self.dies(p, self.d(-11, 20), ga=10, mz=True)
        c = self.case("dibao", "210103", p, date(2016, 10, 10))
        for k in (-1, 0):
            c.reversed[madd(self.m0, k)] = at(d2, 10, 30 + k)
        self.expect_case("reversal_shrinks", c, ALWAYS, "day 2 reverses the last two payments: 2 months fewer")
        p = self.person(date(1953, 3, 3), "210104", 2)
        self.dies(p, self.d(-2, 5), ga=10, wj=0)
        c = self.case("tekun", "210104", p, date(2016, 11, 11), last_month=self.m0, terminated=d3,
                      support_mode="dispersed")
        for k in (-1, 0):
            c.reversed[madd(self.m0, k)] = at(d3, 9, 40 + k)
        self.expect_case("reversal_withdraws", c, [(None, d2, True), (d3, None, False)],
                         "day 3 reverses every payment after the death: the warning is withdrawn")
        p = self.person(date(1937, 12, 24), "210105")
        true_death = self.d(-7, 18)
        self.dies(p, self.d(-1, 18), ga=(d2 - self.d(-1, 18)).days)
        p.death = true_death
        unit = self.police["210105"]
        self.expect_case("redelivery_corrects_date", self.case("elderly_allowance", "210105", p, date(2017, 8, 8)),
                         [(None, F, False), (d2, None, True)],
                         f"{unit} reports on day 2 a wrong death date; its day-3 redelivery (sequence 2) "
                         f"corrects it 6 months earlier")
        q = self.person(date(1964, 4, 4), "210105")
        self.b.add_report("ga", q, self.d(-2, 3), d2, q.id_number, place=self.b.stations["210105"][2])
        self.expect_case("redelivery_retracts_death", self.case("dibao", "210105", q, date(2018, 12, 12)),
                         [(None, F, False), (d2, d2, True), (d3, None, False)],
                         f"{unit} wrongly cancels a living payee on day 2; the day-3 redelivery leaves the row out")
        self.w.redeliveries.append(Redelivery("ga_death", unit, d2, d3, 2, {
            p.id_number: {"死亡日期": true_death}, q.id_number: None}))


def plant_all(b: Builder) -> None:
    Planter(b).plant_w01()


# ---- the world's own verdict, for checking the file-based reference ---------------------
def visible_deaths(world: World, police: dict[str, str], day: date) -> dict[str, date]:
    """Earliest death date per normalised number, from reports published by ``day``."""
    cut = day_end(day)
    redeliveries: dict[tuple[str, date], Redelivery] = {}
    for r in sorted(world.redeliveries, key=lambda r: r.sequence):
        if r.on <= day:
            redeliveries[(r.unit, r.business_date)] = r
    out: dict[str, date] = {}
    for rep in world.deaths:
        if (rep.source == "mz" and rep.at is not None and rep.at > cut) or rep.business_date > day:
            continue
        stated = rep.death_date
        if rep.source == "ga":
            r = redeliveries.get((police[rep.person.district], max(rep.business_date, world.first_date)))
            if r is not None and rep.id_raw in r.changes:
                change = r.changes[rep.id_raw]
                if change is None:
                    continue
                stated = change.get("死亡日期", stated)  # type: ignore[assignment]
        number = ids.normalise(rep.id_raw, day)
        if number:
            out[number] = min(out.get(number, stated), stated)
    return out


def truth_w01(world: World, case: Case | Claim | None, deaths: dict[str, date], day: date) -> tuple[int, int]:
    """(months, fen) W01 flags for a planted case as of ``day``, from the world's timeline."""
    if not isinstance(case, Case) or case.program == "temp_assistance":
        return 0, 0
    cut = day_end(day)
    if case.deleted_at is not None and case.deleted_at <= cut:
        return 0, 0
    death = deaths.get(case.payee.id_number)
    if death is None:
        return 0, 0
    flagged = [case.amount(m) for m in case.pay_months(mstart(day))
               if world.pay_at(case.district, m) <= cut and death < m
               and not (m in case.reversed and case.reversed[m] <= cut)]
    return len(flagged), sum(flagged)
