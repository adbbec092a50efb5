"""Planted cases for W02-W17 (W14 a-d): for each rule, cases that must fire and the negative
controls the spec names, some changing over the business days. They are planted after the
partners' background (``partners.PartnerBuilder``), whose fact writers they use, so each
case carries exactly the partner facts its scenario names.

``generate`` checks the file-based reference against every verdict (fire or not, per
business day) and, where a case states them (``total``), against the months and amount the
world's own amounts imply.
"""

from __future__ import annotations

from datetime import date, timedelta

from rig.model import Case, Claim, Filing, Institution, Marriage, Member, Person, Planted, at, madd, mend
from rig.partners import Account, Job, PartnerBuilder, Pension, facts_of, month_end
from rig.planted import Phase, Planter
from rig.world import Builder

ALWAYS: list[Phase] = [(None, None, True)]
NEVER: list[Phase] = [(None, None, False)]


class RulePlanter(Planter):
    def __init__(self, b: Builder, pb: PartnerBuilder) -> None:
        super().__init__(b)
        self.pb, self.f = pb, facts_of(b.world)

    def exp(self, name: str, rule: str, c: Case | str, subject: Person | str, phases: list[Phase], note: str,
            program: str | None = None, total: tuple[int, int] | None = None) -> None:
        """``total``: (months, fen) the world implies for the fire phases (checked by generate)."""
        ref = c.case_ref if isinstance(c, Case) else c
        prog = program or (c.program if isinstance(c, Case) else "eldercare_subsidy")
        sub = subject.id_number if isinstance(subject, Person) else subject
        months, fen = total if total else (None, None)
        for first, last, fire in phases:
            self.w.planted.append(Planted(name, rule, prog, ref, sub, fire, first, last, note, months, fen))

    def paid(self, c: Case, first: date, last: date | None = None, share_of: int = 1) -> tuple[int, int]:
        """(months, fen) of case c's paid months from ``first`` to ``last`` (default M0), from the
        world's own amounts (a dibao share: amount / members, rounded half up)."""
        stop = last or self.m0
        ms = [m for m in c.pay_months(self.m0) if first <= m <= stop]
        fen = sum((c.amount(m) * 2 + share_of) // (2 * share_of) for m in ms)
        return len(ms), fen

    def household(self, district: str, approved: date, *others: tuple[Person, str]) -> tuple[Case, Person]:
        a = self.person(date(1968, 3, 3), district)
        h = self.case("dibao", district, a, approved)
        for p, rel in others:
            h.members.append(Member(p, rel, approved))
        return h, a

    def plant(self) -> None:
        for step in (self.w02, self.w03, self.w04, self.w05, self.w06, self.w07, self.w08, self.w09, self.w10,
                     self.w11, self.w12, self.w13, self.w14, self.w15, self.w16, self.w17):
            step()

    # ---- W02 deceased member ----------------------------------------------------------------
    def w02(self) -> None:
        s = self.person(date(1966, 5, 5), "210105", 2)
        h, _ = self.household("210105", date(2017, 3, 3), (s, "spouse"))
        self.dies(s, self.d(-6, 10), ga=5)
        self.exp("w02_member_dead_not_removed", "W02", h, s, ALWAYS, "the spouse died 6 months ago and is still a member")
        s = self.person(date(1967, 6, 6), "210106", 2)
        h, _ = self.household("210106", date(2017, 4, 4), (s, "spouse"))
        h.members[-1].left = self.d(-6, 20)
        self.dies(s, self.d(-6, 10), ga=5)
        self.exp("w02_neg_member_removed", "W02", h, s, NEVER, "the member died and left the household that month")
        s = self.person(date(1965, 7, 7), "210113", 2)
        h, _ = self.household("210113", date(2018, 5, 5), (s, "spouse"))
        self.dies(s, self.d(-3, 12), wj=(self.day2 - self.d(-3, 12)).days)
        self.exp("w02_death_reported_day2", "W02", h, s, [(None, self.F, False), (self.day2, None, True)],
                 "wj publishes the member's death on day 2 only")

    # ---- W03 custody ------------------------------------------------------------------------
    def w03(self) -> None:
        p = self.person(date(1959, 1, 9), "210104")
        c = self.case("tekun", "210104", p, date(2018, 1, 9), support_mode="dispersed")
        self.pb.prisoner(p, self.d(-10, 5), None, self.d(30, 5))
        self.exp("w03_tekun_in_prison", "W03", c, p, ALWAYS, "serving a sentence since 10 months ago, still paid",
                 total=self.paid(c, madd(self.m0, -9)))
        m = self.person(date(1990, 2, 2), "210114")
        h, _ = self.household("210114", date(2016, 6, 6), (m, "child"))
        self.pb.prisoner(m, self.d(-8, 1), None, self.d(20, 1))
        self.exp("w03_dibao_member_in_prison", "W03", h, m, ALWAYS, "a household member in prison: the share")
        for name, what in (("w03_neg_community_correction", "correction"), ("w03_neg_pretrial_detention", "detention")):
            p = self.person(date(1961, 3, 3), "210105")
            c = self.case("tekun", "210105", p, date(2018, 2, 2), support_mode="dispersed")
            if what == "correction":
                self.pb.correction(p, "probation", self.d(-12, 1), self.d(12, 1))
            else:
                self.f.add("ga_detention", self.d(-9, 1), {
                    "id_number": p.id_number, "name": p.name, "facility": "沈阳市看守所",
                    "detained_date": self.d(-9, 1), "released_date": None})
            self.exp(name, "W03", c, p, NEVER, f"{what} is not custody")
        p = self.person(date(1962, 4, 4), "210106")
        c = self.case("tekun", "210106", p, date(2018, 3, 3), support_mode="dispersed")
        row = self.pb.prisoner(p, self.d(-10, 5), None, self.d(30, 5))
        self.f.add("sf_prisoner", self.day2, {**row, "released_date": self.d(-7, 20)})
        note = "day 2 reports a release 7 months ago: the warning shrinks to 2 months"
        self.exp("w03_release_reported_late", "W03", c, p, [(None, self.F, True)], note,
                 total=self.paid(c, madd(self.m0, -9)))
        self.exp("w03_release_reported_late", "W03", c, p, [(self.day2, None, True)], note,
                 total=self.paid(c, madd(self.m0, -9), madd(self.m0, -8)))

    # ---- W04 income -------------------------------------------------------------------------
    def w04(self) -> None:
        def single(district: str) -> tuple[Case, Person]:
            return self.household(district, date(2016, 7, 7))

        h, a = single("210102")
        self.f.jobs.append(Job(a, "沈阳鼓风机集团", "912101000000000001", "employer", self.d(-6, 1), None, 300000))
        self.exp("w04_employer_income", "W04", h, a, ALWAYS, "a wage base of 3,000 yuan since 6 months ago")
        h, a = single("210103")
        self.f.jobs.append(Job(a, "灵活就业", "", "flexible", self.d(-12, 1), None, 400000))
        self.exp("w04_neg_flexible_base", "W04", h, a, NEVER, "a flexible-employment base is not income")
        h, a = single("210104")
        self.f.pensions.append(Pension(a, "resident", self.d(-12, 1), 120000))
        self.exp("w04_neg_resident_pension", "W04", h, a, NEVER, "a residents'-scheme pension is not income")
        h, a = single("210105")
        self.f.jobs.append(Job(a, "沈阳机床集团", "912101000000000002", "employer", self.d(-3, 1), self.d(-2, 28),
                               300000))
        self.exp("w04_neg_two_months_only", "W04", h, a, NEVER, "income above the standard for 2 months only")
        h, a = single("210106")
        self.f.pensions.append(Pension(a, "employee", self.d(-12, 1), 260000))
        self.exp("w04_employee_pension", "W04", h, a, ALWAYS, "an employee pension counts as income")

    # ---- W05 real estate --------------------------------------------------------------------
    def w05(self) -> None:
        h, a = self.household("210111", date(2017, 8, 8))
        self.pb.estate(a, "residential", date(2010, 5, 5))
        self.pb.estate(a, "residential", date(2015, 6, 6))
        self.exp("w05_two_residential", "W05", h, a, ALWAYS, "two residential properties")
        m = self.person(date(1970, 1, 1), "210112", 2)
        h, a = self.household("210112", date(2017, 9, 9), (m, "spouse"))
        self.pb.estate(m, "commercial", date(2012, 5, 5))
        self.exp("w05_member_commercial", "W05", h, a, ALWAYS, "a member holds a shop")
        h, a = self.household("210113", date(2017, 10, 10))
        self.pb.estate(a, "residential", date(2010, 5, 5))
        self.exp("w05_neg_one_residential", "W05", h, a, NEVER, "one residential property is allowed")
        h, a = self.household("210114", date(2017, 11, 11))
        self.pb.estate(a, "residential", date(2010, 5, 5))
        row = self.pb.estate(a, "residential", date(2012, 6, 6))
        self.pb.estate(a, "residential", date(2012, 6, 6), cancelled=date(2015, 1, 1), business_date=self.day3,
                       cert=str(row["cert_no"]))
        self.exp("w05_cancelled_day3", "W05", h, a, [(None, self.day2, True), (self.day3, None, False)],
                 "day 3 reports the second flat sold in 2015: the warning is withdrawn")

    # ---- W06 vehicles -----------------------------------------------------------------------
    def w06(self) -> None:
        m = self.person(date(1992, 2, 2), "210115")
        h, _ = self.household("210115", date(2018, 1, 1), (m, "child"))
        self.pb.vehicle(m, "passenger_car", date(2019, 4, 4))
        self.exp("w06_member_car", "W06", h, m, ALWAYS, "a member owns a passenger car")
        h, a = self.household("210123", date(2018, 2, 2))
        self.pb.vehicle(a, "motorcycle", date(2019, 4, 4))
        self.exp("w06_neg_motorcycle", "W06", h, a, NEVER, "a motorcycle is not a car")
        h, a = self.household("210124", date(2018, 3, 3))
        self.pb.vehicle(a, "passenger_car", date(2010, 4, 4), "transferred", date(2017, 6, 6))
        self.exp("w06_neg_car_sold_before", "W06", h, a, NEVER, "the car was transferred before the case")
        h, a = self.household("210181", date(2018, 4, 4))
        self.pb.vehicle(a, "truck", date(2021, 4, 4), business_date=self.day2)
        self.exp("w06_truck_reported_day2", "W06", h, a, [(None, self.F, False), (self.day2, None, True)],
                 "the registry reports a 2021 truck on day 2", total=self.paid(h, date(2021, 4, 1)))

    # ---- W07 business -----------------------------------------------------------------------
    def w07(self) -> None:
        p = self.person(date(1960, 5, 5), "210102")
        c = self.case("tekun", "210102", p, date(2018, 5, 5), support_mode="dispersed")
        self.pb.enterprise(p, date(2020, 3, 3), False, status="active")
        self.exp("w07_tekun_legal_rep", "W07", c, p, ALWAYS, "legal representative of an active company")
        m = self.person(date(1985, 6, 6), "210103", 2)
        h, _ = self.household("210103", date(2018, 6, 6), (m, "spouse"))
        self.pb.individual_business(m, date(2019, 9, 9), False)
        self.exp("w07_dibao_member_shop", "W07", h, m, ALWAYS, "a member runs an individual business")
        p = self.person(date(1961, 7, 7), "210104")
        c = self.case("tekun", "210104", p, date(2018, 7, 7), support_mode="dispersed")
        self.pb.enterprise(p, date(2010, 3, 3), True, status="revoked", status_date=date(2015, 3, 3))
        self.exp("w07_neg_revoked_before", "W07", c, p, NEVER, "the company was revoked before the case")

    # ---- W08 public employees ---------------------------------------------------------------
    def w08(self) -> None:
        m = self.person(date(1988, 8, 8), "210105")
        h, _ = self.household("210105", date(2018, 8, 8), (m, "child"))
        self.f.jobs.append(Job(m, "沈阳市教育局", "122101000000000001", "public", date(2019, 9, 1), None, 520000))
        self.exp("w08_member_public_employee", "W08", h, m, ALWAYS, "a member is on a public payroll",
                 total=self.paid(h, date(2019, 9, 1)))
        p = self.person(date(1958, 9, 9), "210106")
        c = self.case("tekun", "210106", p, date(2018, 9, 9), support_mode="dispersed")
        self.f.jobs.append(Job(p, "沈阳市城市管理局", "122101000000000002", "public", date(2005, 1, 1),
                               date(2015, 12, 31), 300000))
        self.exp("w08_neg_post_ended", "W08", c, p, NEVER, "the post ended before the case")

    # ---- W09 deposits -----------------------------------------------------------------------
    def w09(self) -> None:
        for name, bank, balance in (("w09_deposits_bocom", "JR-BOCOM", 30000000), ("w09_deposits_ccb_api", "JR-CCB", 25000000)):
            h, a = self.household("210111", date(2018, 10, 10))
            self.f.accounts.append(Account(a, bank, f"{name[-5:]}****{len(self.f.accounts):06d}", "time",
                                           month_end(date(2020, 1, 1)), None, balance))
            self.exp(name, "W09", h, a, ALWAYS, f"{balance // 100} yuan in {bank}",
                     total=self.paid(h, date(2020, 2, 1)))  # balances from the 2020-01-31 snapshot on
        h, a = self.household("210112", date(2018, 11, 11))
        self.f.accounts.append(Account(a, "JR-SJB", f"neg09****{len(self.f.accounts):06d}", "current",
                                       month_end(date(2020, 1, 1)), None, 1500000))
        self.exp("w09_neg_below_threshold", "W09", h, a, NEVER, "15,000 yuan, below 24 months of the standard")

    # ---- W10 / W11 relatives ----------------------------------------------------------------
    def staff(self, district: str, role: str) -> object:
        return self.b.staff_by[(district, role)][0]  # in post since before 2008, still is

    def w10(self) -> None:
        s = self.staff("210113", "case_worker")
        p = self.person(date(1975, 3, 3), "210113", 3 - s.person.gender)  # type: ignore[attr-defined]
        c = self.case("tekun", "210113", p, date(2019, 3, 3), support_mode="dispersed")
        c.handler = s.staff_id  # type: ignore[attr-defined]
        self.w.marriages.append(Marriage(f"JH210113{self.b.next('marriage'):08d}", "marriage", s.person, p,  # type: ignore[attr-defined]
                                         date(2012, 5, 20)))
        self.exp("w10_handler_spouse", "W10", c, p, ALWAYS, "the case worker approved their own spouse")
        s = self.staff("210114", "approver")
        p = self.person(date(1974, 4, 4), "210114", 3 - s.person.gender)  # type: ignore[attr-defined]
        c = self.case("tekun", "210114", p, date(2019, 4, 4), support_mode="dispersed")
        c.approver = s.staff_id  # type: ignore[attr-defined]
        self.w.marriages.append(Marriage(f"JH210114{self.b.next('marriage'):08d}", "marriage", s.person, p,  # type: ignore[attr-defined]
                                         date(2005, 5, 20)))
        self.w.marriages.append(Marriage(f"LH210114{self.b.next('marriage'):08d}", "divorce", s.person, p,  # type: ignore[attr-defined]
                                         date(2012, 6, 1)))
        self.exp("w10_neg_divorced_spouse", "W10", c, p, NEVER, "the approver divorced the payee before the case")

    def w11(self) -> None:
        for name, filed in (("w11_unfiled_relative", False), ("w11_neg_filed_relative", True)):
            d = "210115" if filed else "210181"
            role = "village_cadre" if (d, "village_cadre") in self.b.staff_by else "community_cadre"
            s = self.staff(d, role)
            p = self.person(date(1970, 5, 5), d)
            c = self.case("temp_assistance" if filed else "dibao", d, p, date(2020, 5, 5),
                          **({"amount_fen": 150000, "reason": "illness", "paid_at": at(date(2020, 5, 12), 14)}
                             if filed else {}))
            if filed:
                c.first_month = date(2020, 5, 1)
            hk = self.f.hukou.setdefault(s.person, {"household_no": f"{d}777{len(self.f.hukou):06d}", "relation": "head"})  # type: ignore[attr-defined]
            self.f.hukou[p] = {"household_no": hk["household_no"], "relation": "sibling"}
            if filed:
                self.w.filings.append(Filing(f"BA{self.b.next('filing'):07d}", s, p, "sibling", date(2019, 1, 1)))  # type: ignore[arg-type]
            self.exp(name, "W11", c, p, NEVER if filed else ALWAYS,
                     "a cadre of the district shares the payee's 户号" + (" and filed it" if filed else ", unfiled"))

    # ---- W12 duplicates ---------------------------------------------------------------------
    def w12(self) -> None:
        p = self.person(date(1956, 6, 6), "210102")
        t = self.case("tekun", "210102", p, date(2018, 6, 1), support_mode="dispersed")
        h, _ = self.household("210102", date(2020, 6, 1), (p, "sibling"))
        self.exp("w12_dibao_after_tekun", "W12", h, p, ALWAYS, "a 特困 person also in a 低保 household approved later",
                 total=self.paid(h, date(2016, 1, 1), share_of=2))
        self.exp("w12_neg_first_approved", "W12", t, p, NEVER, "the case approved first is not flagged")
        kid = self.person(date(2014, 2, 2), "210103")
        o = self.case("orphan", "210103", kid, date(2019, 2, 2), category="orphan", father=None, mother=None)
        u = self.case("unsupported_child", "210103", kid, date(2021, 2, 2), category="unsupported", father=None,
                      mother=None)
        self.exp("w12_unsupported_after_orphan", "W12", u, kid, ALWAYS, "one child in two excluding programmes")
        self.exp("w12_neg_orphan_first", "W12", o, kid, NEVER, "the orphan case came first")

    # ---- W13 non-local --------------------------------------------------------------------
    def w13(self) -> None:
        p = self.person(date(1955, 7, 7), "210104")
        c = self.case("tekun", "210104", p, date(2019, 7, 7), support_mode="dispersed")
        self.f.hukou[p] = {"household_no": "210202000123456", "relation": "head", "district": "210202"}
        self.exp("w13_hukou_dalian", "W13", c, p, ALWAYS, "hukou registered in Dalian (210202)")
        h, a = self.household("210105", date(2019, 8, 8))
        self.f.add("ga_emigration", self.d(-4, 20), {"id_number": a.id_number, "name": a.name, "country": "加拿大",
                                                    "settled_date": self.d(-5, 10)})
        self.exp("w13_emigrated", "W13", h, a, ALWAYS, "settled abroad 5 months ago")
        h, a = self.household("210106", date(2019, 9, 9))
        self.f.no_hukou.add(a)
        self.f.hukou[a] = {"household_no": "", "relation": "head", "district": "210202"}
        self.exp("w13_neg_no_hukou_row", "W13", h, a, NEVER, "no ga_hukou row: a data-quality finding, not W13")
        p = self.person(date(1950, 1, 1), "210111")
        c = self.case("tekun", "210111", p, date(2019, 1, 1), last_month=self.d(-3, 1), terminated=self.d(-3, 20),
                      support_mode="dispersed")
        self.f.hukou_events.append((p, self.d(-2, 5), "moved_out", self.d(-2, 1)))
        self.exp("w13_neg_moved_after_last_paid", "W13", c, p, NEVER, "moved out after the last paid month")

    # ---- W14 eldercare claims ---------------------------------------------------------------
    def w14(self) -> None:
        for cl in [c for c in self.w.claims if c.resident.planted and c.resident.death is not None]:
            self.exp("w14a_claim_for_dead_resident", "W14", cl.claim_id, cl.resident, ALWAYS,
                     "claimed for a resident dead before the claim month", total=(1, cl.amount))
        insts = [i for i in self.w.institutions if i.district == "210112"]
        a_inst, b_inst = insts[0], insts[-1]
        m = madd(self.m0, -2)
        r = self.person(date(1938, 2, 2), "210112", 2)
        first = self.b.claim(a_inst, m, r, "partial", 20000)
        second = self.b.claim(b_inst, m, r, "partial", 20000)
        for cl in (first, second):
            cl.deleted_at, cl.paid_at = None, at(madd(m, 1).replace(day=20), 15)
        self.exp("w14b_two_institutions", "W14", second.claim_id, r, ALWAYS, "claimed by two institutions in a month",
                 total=(1, 20000))
        self.exp("w14b_neg_first_claim", "W14", first.claim_id, r, NEVER, "the smallest claim_id is not flagged")
        small = Institution(f"YL210113{self.b.next('inst210113'):03d}", "沈北新区小型颐养之家", "210113", "private", 2,
                            at(date(2015, 3, 3), 11))
        self.w.institutions.append(small)
        for k in range(3):
            cl = self.b.claim(small, m, self.person(date(1936, 3, 3 + k), "210113"), "self_care", 10000)
            cl.deleted_at, cl.paid_at = None, at(madd(m, 1).replace(day=20), 15)
        self.exp("w14c_over_beds", "W14", f"{small.institution_id}:{m:%Y-%m}", small.institution_id, ALWAYS,
                 "3 claims for 2 licensed beds", total=(1, 10000))
        self.exp("w14c_neg_previous_month", "W14", f"{small.institution_id}:{madd(m, -1):%Y-%m}", small.institution_id,
                 NEVER, "no claims the month before")
        r = self.person(date(1937, 4, 4), "210114")
        over = self.b.claim(insts[0], m, r, "full", 35000)
        r2 = self.person(date(1937, 5, 5), "210114", 2)
        ok = self.b.claim(insts[0], m, r2, "full", 30000)
        for cl in (over, ok):
            cl.deleted_at, cl.paid_at = None, None
        self.exp("w14d_over_rate", "W14", over.claim_id, r, ALWAYS, "350 claimed at a rate of 300 (unpaid: still judged)",
                 total=(1, 5000))
        self.exp("w14d_neg_at_rate", "W14", ok.claim_id, r2, NEVER, "claimed exactly the rate")
        _ = Claim

    # ---- W15 orphans with a living parent --------------------------------------------------
    def w15(self) -> None:
        father, mother = self.person(date(1980, 1, 1), "210115"), self.person(date(1982, 2, 2), "210115", 2)
        kid = self.person(date(2013, 3, 3), "210115")
        self.dies(mother, date(2017, 5, 5), ga=10)
        c = self.case("orphan", "210115", kid, date(2018, 3, 3), category="orphan", father=father, mother=mother)
        self.exp("w15_father_alive", "W15", c, kid, ALWAYS, "the father is alive and normal in the register")
        father, mother = self.person(date(1979, 1, 1), "210123"), self.person(date(1981, 2, 2), "210123", 2)
        kid = self.person(date(2012, 3, 3), "210123")
        self.dies(father, date(2016, 5, 5), ga=10)
        self.dies(mother, date(2017, 6, 6), ga=10, mz=True)
        c = self.case("orphan", "210123", kid, date(2018, 4, 4), category="orphan", father=father, mother=mother)
        self.exp("w15_neg_parents_dead", "W15", c, kid, NEVER, "an orphan whose parents are dead")
        father, mother = self.person(date(1978, 1, 1), "210124"), self.person(date(1980, 2, 2), "210124", 2)
        kid = self.person(date(2011, 3, 3), "210124")
        self.dies(mother, date(2016, 8, 8), wj=1)
        self.pb.prisoner(father, date(2017, 1, 1), None, date(2035, 1, 1))
        c = self.case("orphan", "210124", kid, date(2018, 5, 5), category="orphan", father=father, mother=mother)
        self.exp("w15_neg_father_in_prison", "W15", c, kid, NEVER, "the living father is serving a sentence")

    # ---- W16 disability subsidies ------------------------------------------------------------
    def w16(self) -> None:
        p = self.person(date(1970, 6, 6), "210181")
        c = self.case("disability_care", "210181", p, date(2019, 6, 6), grade=3)
        self.pb.cert(p, 3, date(2019, 1, 1))
        self.exp("w16_care_grade3", "W16", c, p, ALWAYS, "care subsidy with a grade-3 certificate")
        p = self.person(date(1971, 7, 7), "210181")
        c = self.case("disability_care", "210181", p, date(2019, 7, 7), grade=1)
        self.pb.cert(p, 1, date(2019, 1, 1), valid_until=date(2029, 1, 1))
        self.exp("w16_neg_care_valid_cert", "W16", c, p, NEVER, "a valid grade-1 certificate")
        p = self.person(date(1972, 8, 8), "210102")
        c = self.case("disability_living", "210102", p, date(2019, 8, 8), grade=3)
        self.exp("w16_living_not_in_dibao", "W16", c, p, ALWAYS, "living subsidy for someone in no 低保 household")
        m = self.person(date(1973, 9, 9), "210103")
        self.household("210103", date(2018, 1, 1), (m, "spouse"))
        c = self.case("disability_living", "210103", m, date(2019, 9, 9), grade=3)
        self.exp("w16_neg_living_in_dibao", "W16", c, m, NEVER, "a member of a paid 低保 household")

    # ---- W17 age ----------------------------------------------------------------------------
    def w17(self) -> None:
        p = self.person(date(1950, 10, 10), "210104")
        c = self.case("elderly_allowance", "210104", p, date(2021, 10, 10))
        self.exp("w17_aged_76", "W17", c, p, ALWAYS, "born 1950: under 80", total=self.paid(c, date(2016, 1, 1)))
        p = self.person(date(1940, 1, 1), "210105", 2)
        c = self.case("elderly_allowance", "210105", p, date(2019, 12, 20))
        self.exp("w17_neg_exactly_80", "W17", c, p, NEVER, "80 on the first day of the first paid month")
        _ = (mend, timedelta)


def plant_rules(b: Builder, pb: PartnerBuilder) -> None:
    RulePlanter(b, pb).plant()
