"""Building the background world: a plausible Shenyang caseload since 2016.

``Builder`` adds the programmes to ``BuilderBase``'s people and timelines; planted cases
(``planted.py``) go on top.
"""

from __future__ import annotations

from datetime import date, timedelta

from rig import names
from rig.catalogue import Catalogue, standards
from rig.model import (
    Case,
    Claim,
    Filing,
    Institution,
    Marriage,
    Member,
    Person,
    Staff,
    World,
    age_on,
    at,
    madd,
    mend,
    months,
    mstart,
)
from rig.world_base import CARE_LEVELS, SIZES, URBAN_SHARE, BuilderBase, Size

__all__ = ["SIZES", "Builder", "Size", "build_world"]


class Builder(BuilderBase):
    """The programmes, in a fixed order (the order is part of the seed's meaning)."""

    def build(self) -> World:
        self.make_staff()
        self.make_institutions()
        for _ in range(self.size.dibao_households):
            self.dibao_household()
        for _ in range(self.size.tekun):
            self.tekun()
        for _ in range(self.size.orphans):
            self.child("orphan")
        for _ in range(self.size.unsupported):
            self.child("unsupported_child")
        self.disability()
        self.elderly()
        self.temp_assistance()
        self.claims()
        self.marriages()
        for _ in range(self.size.noise_deaths):
            birth = self.day_between(date(1925, 1, 1), date(1985, 12, 31))
            p = self.person(birth)
            p.death = self.day_between(date(2016, 1, 1), self.sim_end)
        self.window_churn()
        self.payment_noise()
        for p in self.world.persons:
            # Feeds carry history from 2016 only (feeds.yml history_start).
            if p.death and date(2016, 1, 1) <= p.death <= self.sim_end and not p.planted:
                self.report_death(p)
        return self.world

    def make_staff(self) -> None:
        approvers, workers, cadres = self.size.staff
        for d in self.districts:
            dname = self.cat.districts[d]
            cadre_role = "village_cadre" if URBAN_SHARE.get(d, 0.6) < 0.5 else "community_cadre"
            for role, count in (("approver", approvers), ("case_worker", workers), (cadre_role, cadres)):
                for i in range(count + 1):
                    # The first of each role has been in post since before 2008 and still is.
                    start = self.day_between(date(2003, 1, 1), date(2007, 12, 31)) if i == 0 else \
                        self.day_between(date(2008, 1, 1), self.first - timedelta(days=200))
                    end = None if i == 0 or self.rng.random() > 0.2 else \
                        self.day_between(start + timedelta(days=365), self.first)
                    birth = self.day_between(date(1962, 1, 1), date(1996, 12, 31))
                    org = f"{dname}民政局" if role in ("approver", "case_worker") else \
                        names.community(self.rng, dname, role == "village_cadre").replace("社区", "社区居委会")
                    s = Staff(f"MZ{d}{self.next('staff' + d):04d}", self.person(birth, district=d), org, role,
                              d, start, end, at(start, 9, 30))
                    self.world.staff.append(s)
                    self.staff_by.setdefault((d, role), []).append(s)
                    if self.rng.random() < 0.3:
                        self.filing(s)

    def filing(self, s: Staff) -> None:
        relation = self.rng.choice(("spouse", "parent", "child", "sibling", "other"))
        shift = {"spouse": 0, "parent": -28, "child": 28, "sibling": 3, "other": 0}[relation]
        birth = self.day_between(date(s.person.birth.year + shift - 3, 1, 1), date(s.person.birth.year + shift + 3, 12, 28))
        birth = min(birth, self.first - timedelta(days=400))
        rel = self.person(birth, 3 - s.person.gender if relation == "spouse" else None, s.district,
                          date(2016, 1, 1))
        filed = self.day_between(s.active_from, min(s.active_from + timedelta(days=700), self.first))
        self.world.filings.append(Filing(f"BA{self.next('filing'):07d}", s, rel, relation, filed))
        if relation == "spouse":
            self.world.marriages.append(Marriage(
                f"JH{s.district}{self.next('marriage'):08d}", "marriage", s.person, rel,
                self.day_between(date(1990, 1, 1), s.active_from)))

    def make_institutions(self) -> None:
        for d in self.districts:
            for n in range(self.size.institutions * 2):
                public = n < self.size.institutions
                inst = Institution(
                    f"YL{d}{self.next('inst' + d):03d}",
                    names.institution_name(self.rng, self.cat.districts[d], public, n),
                    d, "public" if public else "private", self.rng.randrange(60, 400, 10),
                    at(self.day_between(date(2005, 1, 1), date(2015, 12, 31)), 11))
                self.world.institutions.append(inst)

    def dibao_household(self, district: str | None = None, approved: date | None = None) -> Case:
        d = district or self.pick_district()
        rural = self.is_rural(d)
        approved = approved or self.day_between(date(2008, 1, 1), self.new_until)
        age = int(self.rng.triangular(25, 82, 56))
        birth = self.day_between(date(approved.year - age, 1, 1), date(approved.year - age, 12, 28))
        applicant = self.person(birth, None, d, approved, 1.3)
        case = self.new_case("dibao", "DB", d, applicant, approved,
                             area="rural" if rural else "urban",
                             community=names.community(self.rng, self.cat.districts[d], rural),
                             ratio=round(self.rng.uniform(0.35, 1.0), 2))
        case.members.append(Member(applicant, "applicant", approved))
        self.add_family(case, applicant, approved, d, age)
        end = self.planned_end(approved, 9.0)
        if self.rng.random() < 0.005:
            case.deleted_at = at(approved + timedelta(days=self.rng.randint(1, 20)), 16)
            case.last_month = madd(case.first_month, -1)  # withdrawn before anything was paid
        else:
            self.settle(case, end)
            if case.terminated is None and self.rng.random() < 0.02:
                s = self.day_between(max(approved, self.first - timedelta(days=700)), self.first)
                case.suspended_at = at(s, 15)
                case.last_month = max(madd(mstart(s), -1), madd(case.first_month, -1))
        for m in case.members:  # members leave with the household, or at their own (noticed) death
            own = [m.left, m.person.death] if m.relation != "applicant" else []
            ends = [x for x in (*own, case.terminated) if x is not None]
            if ends:
                m.left = max(min(ends), m.joined)
                if m.left > self.sim_end:
                    m.left = None
        return case

    def add_family(self, case: Case, applicant: Person, approved: date, d: str, age: int) -> None:
        def member(birth: date, relation: str, gender: int | None = None, joined: date = approved) -> None:
            p = self.person(birth, gender, d, max(joined, birth), 1.3)
            case.members.append(Member(p, relation, max(joined, birth)))

        y = applicant.birth.year
        if self.rng.random() < 0.55:
            member(self.day_between(date(y - 6, 1, 1), date(y + 6, 12, 28)), "spouse", 3 - applicant.gender)
        if age < 62:
            for _ in range(self.rng.choices((0, 1, 2, 3), (30, 45, 20, 5))[0]):
                lo = date(y + 22, 1, 1)
                hi = min(date(y + 42, 12, 28), approved + timedelta(days=3 * 365), self.new_until)
                if lo >= hi:
                    break
                born = self.day_between(lo, hi)
                joined = approved if born <= approved else born + timedelta(days=self.rng.randint(30, 120))
                if joined > self.new_until:
                    continue
                member(born, "child", None, joined)
                grown = date(born.year + 18 + self.rng.randint(0, 6), born.month, min(born.day, 28))
                if self.rng.random() < 0.6 and grown > joined:
                    case.members[-1].left = grown
        if age < 60 and self.rng.random() < 0.12:
            member(self.day_between(date(y - 35, 1, 1), date(y - 22, 12, 28)), "parent")
        if age > 55 and self.rng.random() < 0.04:
            born = self.day_between(date(y + 45, 1, 1), min(date(y + 65, 12, 28), self.new_until))
            member(born, "grandchild", None, max(approved, born))
        if self.rng.random() < 0.03:
            member(self.day_between(date(y - 8, 1, 1), date(y + 8, 12, 28)), "sibling")

    def tekun(self) -> None:
        d = self.pick_district()
        birth = self.day_between(date(1925, 1, 1), date(1966, 12, 28))
        lo = max(date(2008, 1, 1), date(birth.year + 58, 1, 1))
        if lo >= self.new_until:
            lo = self.new_until - timedelta(days=400)
        approved = self.day_between(lo, self.new_until)
        p = self.person(birth, None, d, approved, 1.5)
        centralized = self.rng.random() < 0.35
        inst = self.rng.choice([i for i in self.world.institutions if i.district == d and i.ownership == "public"])
        case = self.new_case("tekun", "TK", d, p, approved, area="rural" if self.is_rural(d) else "urban",
                             detail={"support_mode": "centralized" if centralized else "dispersed",
                                     "institution_id": inst.institution_id if centralized else None,
                                     "care_level": self.rng.choices(CARE_LEVELS, (5, 3, 2))[0]})
        self.settle(case, self.planned_end(approved, 40.0))

    def child(self, category: str) -> None:
        d = self.pick_district()
        born = self.day_between(date(2006, 1, 1), date(2022, 12, 28))
        father = self.person(self.day_between(date(born.year - 38, 1, 1), date(born.year - 24, 1, 1)), 1, d,
                             born, 1.0)
        mother = self.person(self.day_between(date(born.year - 35, 1, 1), date(born.year - 22, 1, 1)), 2, d,
                             born, 1.0)
        adult = date(born.year + 18, born.month, min(born.day, 28))
        if category == "orphan":
            # Parents died after 2016, so their deaths are on record and the child is an orphan.
            hi = min(adult - timedelta(days=400), self.new_until - timedelta(days=150))
            lo = max(date(2016, 1, 1), born)
            if lo >= hi:
                lo = hi - timedelta(days=30)
            for parent in (father, mother):
                parent.death = self.day_between(lo, hi)
            approved = max(father.death, mother.death) + timedelta(days=self.rng.randint(30, 120))  # type: ignore[type-var,operator]
            named_father: Person | None = father if self.rng.random() < 0.8 else None
        else:
            approved = self.day_between(max(date(2019, 6, 1), born), min(adult - timedelta(days=200), self.new_until))
            named_father = father
        kid = self.person(born, None, d)
        case = self.new_case(category, "ET", d, kid, approved,
                             detail={"category": "orphan" if category == "orphan" else "unsupported",
                                     "father": named_father, "mother": mother})
        self.settle(case, adult)

    def disability(self) -> None:
        for _ in range(self.size.disability_care):
            d = self.pick_district()
            approved = self.day_between(date(2012, 1, 1), self.new_until)
            birth = self.day_between(date(approved.year - 85, 1, 1), date(approved.year - 5, 1, 1))
            p = self.person(birth, None, d, approved, 1.4)
            case = self.new_case("disability_care", "CB", d, p, approved,
                                 detail={"grade": self.rng.choice((1, 2)), "type": self.rng.randint(1, 7)})
            self.settle(case, self.planned_end(approved, 15.0))
        # 困难残疾人生活补贴 goes to members of 低保 households, and ends with the household.
        for h in [c for c in self.world.cases if c.program == "dibao" and c.deleted_at is None]:
            if self.rng.random() > 0.12:
                continue
            m = self.rng.choice(h.members)
            end = h.terminated or (mend(h.last_month) if h.last_month else None)
            start = max(m.joined, h.approved)
            approved = self.day_between(start, min(start + timedelta(days=400), self.new_until))
            if (end and approved >= end) or (m.person.death and m.person.death <= approved):
                continue
            case = self.new_case("disability_living", "CB", h.district, m.person, approved,
                                 detail={"grade": self.rng.randint(1, 4), "type": self.rng.randint(1, 7)})
            self.settle(case, end)

    def elderly(self) -> None:
        def grant(p: Person, d: str) -> None:
            eighty = date(p.birth.year + 80, p.birth.month, min(p.birth.day, 28))
            approved = max(eighty + timedelta(days=self.rng.randint(15, 120)), date(2014, 1, 1))
            if approved > self.new_until or (p.death and p.death <= approved):
                return
            case = self.new_case("elderly_allowance", "GL", d, p, approved)
            self.settle(case, None)

        for _ in range(self.size.elderly):
            d = self.pick_district()
            birth = self.day_between(date(1920, 1, 1), date(1946, 10, 1))
            eighty = date(birth.year + 80, birth.month, min(birth.day, 28))
            grant(self.person(birth, None, d, max(eighty, date(2014, 1, 1)), 1.0), d)
        for h in [c for c in self.world.cases if c.program == "dibao" and c.deleted_at is None]:
            for m in h.members:
                if age_on(m.person.birth, self.new_until) >= 80 and self.rng.random() < 0.9:
                    grant(m.person, h.district)

    def temp_assistance(self) -> None:
        households = [c for c in self.world.cases if c.program == "dibao"]
        for _ in range(self.size.temp):
            approved = self.day_between(date(2016, 1, 1), self.new_until)
            if self.rng.random() < 0.6:
                h = self.rng.choice(households)
                p, d = self.rng.choice(h.members).person, h.district
                if p.death and p.death <= approved:
                    continue
            else:
                d = self.pick_district()
                p = self.person(self.day_between(date(1940, 1, 1), date(2000, 1, 1)), None, d, approved)
            paid = approved + timedelta(days=self.rng.randint(1, 15))
            case = self.new_case("temp_assistance", "LS", d, p, approved, detail={
                "amount_fen": self.rng.randrange(500, 5001, 100) * 100,
                "reason": self.rng.choices(("illness", "accident", "disaster", "other"), (6, 2, 1, 1))[0],
                "paid_at": at(paid, 14, self.rng.randrange(60))})
            case.first_month = mstart(paid)
            if self.rng.random() < 0.01:
                case.deleted_at = at(paid + timedelta(days=2), 11)

    def claims(self) -> None:
        """Institutions claim their operating subsidy monthly for residents from 2023 on."""
        rates = standards()
        by_id = {i.institution_id: i for i in self.world.institutions}
        last = madd(mstart(self.new_until), -1)
        for c in [c for c in self.world.cases if c.program == "tekun" and c.detail.get("institution_id")]:
            inst = by_id[str(c.detail["institution_id"])]
            level = str(c.detail["care_level"])
            for m in months(max(c.first_month, date(2023, 1, 1)), min(c.last_month or last, last)):
                if c.payee.death and c.payee.death < m:
                    break
                self.claim(inst, m, c.payee, level, int(rates[("eldercare_rate", min(m.year, 2026), level)]) * 100)

    def claim(self, inst: Institution, m: date, resident: Person, level: str, amount: int) -> Claim:
        nxt = madd(m, 1)
        claim = Claim(f"YB{m:%Y%m}{self.next('claim'):07d}", inst, m, resident, level, amount,
                      at(nxt.replace(day=self.rng.randint(3, 6)), 10, self.rng.randrange(60)),
                      at(nxt.replace(day=20), 15, self.world.district_index[inst.district]))
        if self.rng.random() < 0.005:
            claim.deleted_at, claim.paid_at = claim.created_at + timedelta(days=2), None
        self.world.claims.append(claim)
        return claim

    def marriages(self) -> None:
        for h in [c for c in self.world.cases if c.program == "dibao"]:
            spouse = next((m for m in h.members if m.relation == "spouse"), None)
            if spouse is None or self.rng.random() > 0.3:
                continue
            a = h.payee
            lo = date(max(a.birth.year, spouse.person.birth.year) + 20, 1, 1)
            reg = self.day_between(lo, max(lo, h.approved))
            self.world.marriages.append(Marriage(f"JH{h.district}{self.next('marriage'):08d}", "marriage",
                                                 a, spouse.person, reg))
            if self.rng.random() < 0.04 and h.approved < self.first:
                self.world.marriages.append(Marriage(
                    f"LH{h.district}{self.next('marriage'):08d}", "divorce", a, spouse.person,
                    self.day_between(h.approved, self.first)))

    def window_churn(self, span: int = 30) -> None:
        """Every business day after the first carries some business, whatever the size: a new
        household, one ending, a one-off assistance, a new 80-year-old, a death reported by all
        three sources. Drawn for a fixed span so the world does not depend on --days."""
        for k in range(1, span + 1):
            day = self.first + timedelta(days=k)
            self.dibao_household(approved=day)
            live = [c for c in self.world.cases if c.program == "dibao" and c.terminated is None
                    and c.last_month is None and c.deleted_at is None and c.suspended_at is None
                    and c.payee.death is None and c.approved < self.first - timedelta(days=365)]
            if live:
                c = self.rng.choice(live)
                c.terminated, c.terminated_at = day, at(day, 15, k)
                paid = self.world.pay_at(c.district, mstart(day)).date() < day
                c.last_month = mstart(day) if paid else madd(mstart(day), -1)
                for m in c.members:
                    m.left = m.left if m.left and m.left < day else day
            d = self.pick_district()
            p = self.person(self.day_between(date(1950, 1, 1), date(1995, 1, 1)), None, d)
            c = self.new_case("temp_assistance", "LS", d, p, day - timedelta(days=2), detail={
                "amount_fen": self.rng.randrange(500, 3001, 100) * 100, "reason": "illness",
                "paid_at": at(day, 14, k)})
            c.first_month = mstart(day)
            born = day - timedelta(days=80 * 365 + 40)
            self.elderly_case(self.person(born, None, None, day), day)
            dead = self.person(self.day_between(date(1930, 1, 1), date(1960, 1, 1)))
            dead.death, dead.planted = day - timedelta(days=2), True  # reported just below, not at random
            unit = self.police.get(dead.district)
            if unit:
                self.add_report("ga", dead, dead.death, day, self.dirty_id(dead, False),
                                place=self.rng.choice(self.stations[dead.district]))
            self.add_report("wj", dead, dead.death, day, dead.id_number, place=names.HOSPITALS[k % 8])
            self.add_report("mz", dead, dead.death, day, dead.id_number, place=names.FUNERAL_HOMES[0],
                            at_=at(day, 16, k))

    def elderly_case(self, p: Person, approved: date) -> None:
        case = self.new_case("elderly_allowance", "GL", p.district, p, approved)
        self.settle(case, None)

    def payment_noise(self) -> None:
        """Now and then a payment bounces and is reissued, or a household gets a back payment."""
        horizon = mstart(self.sim_end)
        for c in self.world.cases:
            if c.planted or c.program == "temp_assistance":
                continue
            paid = c.pay_months(horizon)
            if paid and self.rng.random() < len(paid) * 0.002:
                m = self.rng.choice(paid)
                c.reversed[m] = self.world.pay_at(c.district, m) + timedelta(days=self.rng.randint(2, 25))
                if self.rng.random() < 0.7:
                    c.reissued.add(m)
            if paid and c.program == "dibao" and self.rng.random() < 0.08:
                c.supplement[self.rng.choice(paid)] = self.rng.randrange(30, 301, 10) * 100


def build_world(seed: int, size: str, first_date: date, catalogue: Catalogue) -> tuple[World, Builder]:
    builder = Builder(seed, size, first_date, catalogue)
    return builder.build(), builder
