"""The partners' side of the world: household register, jobs, pensions, property, vehicles,
businesses, justice, disability certificates and bank balances, and the generators that write
them as the 41 units deliver them.

Background facts come from their own seeded ``random.Random`` (``PartnerBuilder``), drawn after
the programmes and the planted cases, so adding a partner feed never changes the civil-affairs
world. Planted persons get no random facts: planted scenarios add exactly the facts they name
(``Facts.add``). Identity numbers carry the partner's dirt (``dirty``: ~4 % cleanable, ~0.7 %
invalid), drawn per feed from a hash so a row's dirt does not depend on what else is written.

Small feeds are kept as rows (``Facts.rows``); the monthly feeds (contributions, pensions,
income, provident fund, deposits) are computed month by month from compact facts when written,
so a city-size rig streams to disk.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rig import ids, names
from rig.catalogue import Catalogue
from rig.model import Person, World, age_on, at, madd, mend, mstart

MONTHLY_PUBLISH_DAY = 3  # delivery.md: monthly feeds land on the 3rd for the previous month
BANKS = ("JR-ICBC", "JR-ABC", "JR-BOC", "JR-CCB", "JR-BOCOM", "JR-PSBC", "JR-SJB", "JR-SYRCB")
BANK_WEIGHT = (20, 15, 8, 14, 8, 13, 11, 11)
EMPLOYERS = ("沈阳机床集团", "华晨宝马汽车", "沈阳鼓风机集团", "东软集团", "沈阳新松机器人", "中街大悦城",
             "沈阳地铁集团", "北方重工集团", "沈阳兴隆大家庭", "盛京银行", "辽宁省建设集团", "沈阳桃仙机场")
GOV = ("沈阳市财政局", "沈阳市教育局", "沈阳市第二十中学", "沈阳市卫生健康服务中心", "沈阳市城市管理局",
       "沈阳市和平区人民政府", "沈阳市于洪区人民政府", "沈阳市自然资源局", "沈阳市公安局")
PRISONS = ("辽宁省沈阳监狱", "辽宁省大连监狱", "辽宁省康平监狱", "辽宁省女子监狱", "辽宁省凌源第一监狱")
DETENTION = ("沈阳市看守所", "沈阳市第二看守所", "沈阳市拘留所")
COUNTRIES = ("加拿大", "澳大利亚", "美国", "新西兰", "日本", "韩国", "新加坡", "德国")


def month_end(m: date) -> date:
    return mend(m)


def published_on(me: date) -> date:
    """The day a monthly delivery for month-end ``me`` lands (the 3rd of the next month)."""
    return (me + timedelta(days=1)).replace(day=MONTHLY_PUBLISH_DAY)


def first_month_end(first_day: date) -> date:
    """The latest month-end published by the first business date (delivery.md)."""
    me = mstart(first_day) - timedelta(days=1)
    return me if published_on(me) <= first_day else mstart(me) - timedelta(days=1)


def last_month_end(world: World) -> date:
    assert world.horizon is not None
    me = first_month_end(world.horizon.date())
    return me


def _h(*parts: object) -> float:
    """A uniform draw in [0, 1) fixed by its arguments (independent of generation order)."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def dirty(seed: int, feed: str, p: Person, salt: object = "", xlsx: bool = False) -> str:
    """The number as this partner holds it: mostly clean, ~4 % cleanable dirt, ~0.7 % invalid.
    Planted persons carry cleanable dirt only (their verdicts must not hinge on a lost number)."""
    r = _h(seed, feed, p.id_number, salt)
    if r < 0.04:
        kinds = ids.applicable_dirt(p.id_number)
        return ids.dirty(p.id_number, kinds[int(r * 1000) % len(kinds)])
    if r < 0.047 and not p.planted:
        return ids.dirty(p.id_number, "scientific" if xlsx and r < 0.045 else "wrong_check")
    return p.id_number


@dataclass(slots=True, eq=False)
class Job:
    person: Person
    employer: str
    uscc: str
    kind: str  # employer | public | flexible
    start: date
    end: date | None
    wage: int  # fen per month (flexible: the chosen base)
    provident: bool = False
    taxed: bool = False


@dataclass(slots=True, eq=False)
class Pension:
    person: Person
    scheme: str  # employee | resident
    start: date  # first month
    amount: int  # fen


@dataclass(slots=True, eq=False)
class Account:
    person: Person
    bank: str
    account_no: str
    product: str
    opened: date  # first month-end held
    closed: date | None
    balance: int  # fen, the base the monthly balance moves around
    growth: int = 0  # fen added per month


@dataclass
class Facts:
    seed: int
    hukou: dict[Person, dict[str, object]] = field(default_factory=dict)  # person -> household_no, relation, district
    hukou_events: list[tuple[Person, date, str, date]] = field(default_factory=list)  # person, business date, status, status date
    no_hukou: set[Person] = field(default_factory=set)
    rows: dict[str, list[tuple[str | None, date, dict[str, object]]]] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    pensions: list[Pension] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    income_overrides: list[tuple[Person, str, date, int]] = field(default_factory=list)  # sw_income extra rows

    def add(self, feed: str, business_date: date, row: dict[str, object], unit: str | None = None) -> None:
        self.rows.setdefault(feed, []).append((unit, business_date, row))


def facts_of(world: World) -> Facts:
    f = getattr(world, "facts", None)
    if f is None:
        f = Facts(world.seed)
        world.facts = f  # type: ignore[attr-defined]
    return f


class PartnerBuilder:
    """Background partner facts for every person of the world."""

    def __init__(self, world: World, catalogue: Catalogue, first: date) -> None:
        self.w, self.cat, self.first = world, catalogue, first
        self.rng = random.Random(f"minzheng-rig:{world.seed}:partners")
        self.f = facts_of(world)
        self.n = 0
        self.history = date(2016, 1, 1)

    def serial(self) -> int:
        self.n += 1
        return self.n

    def build(self) -> None:
        w, rng = self.w, self.rng
        # The means-tested: 低保 members, 特困 persons, children in care, disability-subsidy payees.
        dibao_members: dict[Person, object] = {}
        for c in w.cases:
            if c.program == "dibao":
                for m in c.members:
                    dibao_members[m.person] = c
            elif c.program in ("tekun", "orphan", "unsupported_child", "disability_living", "disability_care"):
                dibao_members[c.payee] = c
        staff_people = {s.person: s for s in w.staff}
        # The household register: a 低保 household shares one 户号, a staff member with the
        # relatives they filed too; everybody else heads their own.
        for c in w.cases:
            if c.program == "dibao":
                no = f"{c.district}{self.serial():09d}"
                for m in c.members:
                    rel = "head" if m.relation == "applicant" else m.relation
                    self.f.hukou.setdefault(m.person, {"household_no": no, "relation": rel})
        for fl in w.filings:
            s = self.f.hukou.setdefault(fl.staff.person, {"household_no": f"{fl.staff.district}{self.serial():09d}",
                                                           "relation": "head"})
            if fl.relation in ("spouse", "child", "parent"):
                self.f.hukou.setdefault(fl.relative, {"household_no": s["household_no"], "relation": fl.relation})
        for p in w.persons:
            self.f.hukou.setdefault(p, {"household_no": f"{p.district}{self.serial():09d}", "relation": "head"})
        ga_reported: dict[Person, tuple[date, date]] = {}
        redelivered = {k for r in w.redeliveries for k in r.changes}
        for rep in w.deaths:
            if rep.source == "ga" and rep.person.death is not None and ids.normalise(rep.id_raw) == rep.person.id_number \
                    and rep.person.id_number not in redelivered:
                ga_reported.setdefault(rep.person, (rep.death_date, rep.business_date))
        for p in w.persons:
            if p.planted:
                continue
            entry = self.f.hukou[p]
            r = rng.random()
            if p.id_number[:4] != "2101" and r < 0.25:
                entry["district"] = p.id_number[:6]  # never moved the registration to Shenyang
            if p in ga_reported:
                died, reported = ga_reported[p]
                self.f.hukou_events.append((p, reported, "deceased", died))
            elif r > 0.995:
                when = self.day(date(2016, 1, 1), self.first + timedelta(days=20))
                self.f.hukou_events.append((p, when, rng.choice(("moved_out", "abroad", "military")), when))
            if rng.random() < 0.004:
                self.f.no_hukou.add(p)
        for p in w.persons:
            if not p.planted:
                self.person_facts(p, p in dibao_members, staff_people.get(p))

    def day(self, lo: date, hi: date) -> date:
        return lo + timedelta(days=self.rng.randrange(max((hi - lo).days, 0) + 1))

    def person_facts(self, p: Person, poor: bool, staff: object) -> None:
        rng, f, first = self.rng, self.f, self.first
        alive_until = p.death or first + timedelta(days=400)
        age = age_on(p.birth, first)
        adult_from = date(p.birth.year + 20, 1, 1)
        # Work
        if staff is not None:
            start = staff.active_from
            f.jobs.append(Job(p, f"沈阳市{self.cat.districts[staff.district]}民政局", self.uscc("11"),
                              "public", start, staff.active_to, rng.randrange(4500, 9000, 50) * 100,
                              provident=True, taxed=True))
        else:
            working_age = age_on(p.birth, self.history) <= 60 and adult_from < first
            r = rng.random()
            if working_age and poor and r < 0.12:
                start = self.day(max(adult_from, date(2012, 1, 1)), first)
                flexible = rng.random() < 0.5
                f.jobs.append(Job(p, "灵活就业" if flexible else rng.choice(EMPLOYERS), self.uscc("91"),
                                  "flexible" if flexible else "employer", start, self.maybe_end(start, alive_until),
                                  (rng.randrange(3500, 4500, 10) if flexible else
                                   rng.randrange(300, 800, 10) if rng.random() < 0.95 else rng.randrange(1800, 2600, 10)) * 100))
            elif working_age and not poor and r < 0.45:
                start = self.day(max(adult_from, date(2010, 1, 1)), first)
                public = rng.random() < 0.12
                wage = rng.randrange(2600, 14000, 50) * 100
                f.jobs.append(Job(p, rng.choice(GOV) if public else rng.choice(EMPLOYERS),
                                  self.uscc("12" if public else "91"), "public" if public else "employer", start,
                                  self.maybe_end(start, alive_until), wage, provident=public or rng.random() < 0.4,
                                  taxed=wage > 500000))
            elif working_age and not poor and r < 0.52:
                start = self.day(max(adult_from, date(2014, 1, 1)), first)
                f.jobs.append(Job(p, "灵活就业", "", "flexible", start, self.maybe_end(start, alive_until),
                                  rng.randrange(3500, 6000, 10) * 100))
        # Pensions from 60 (men) / 55 (women)
        retire = date(p.birth.year + (60 if p.gender == 1 else 55), p.birth.month, 1)
        if retire < first and (p.death is None or p.death > max(retire, self.history)):
            r = rng.random()
            start = max(madd(retire, 1), self.history)
            if r < (0.25 if poor else 0.6):
                amount = (rng.randrange(1200, 2000, 10) if poor else rng.randrange(2200, 5200, 10)) * 100
                if poor and rng.random() < 0.95:
                    amount = rng.randrange(400, 700, 10) * 100  # a small employee pension, below the standard
                f.pensions.append(Pension(p, "employee", start, amount))
            elif r < 0.9:
                f.pensions.append(Pension(p, "resident", start, rng.randrange(118, 260) * 100))
        # Bank accounts
        if age >= 16 and rng.random() < (0.35 if poor else 0.5):
            for _ in range(1 if rng.random() < 0.8 else 2):
                bank = rng.choices(BANKS, BANK_WEIGHT)[0]
                opened = month_end(self.day(max(self.history, date(p.birth.year + 16, 1, 1)), first))
                closed = month_end(self.day(opened, first + timedelta(days=300))) if rng.random() < 0.12 else None
                if poor:
                    bal = rng.randrange(2, 800) * 1000 if rng.random() > 0.02 else rng.randrange(60, 300) * 100000
                else:
                    bal = int(rng.lognormvariate(10.5, 1.4)) * 100
                f.accounts.append(Account(p, bank, self.account_no(bank), rng.choices(("current", "time", "wealth"),
                                                                                    (6, 3, 1))[0],
                                          opened, closed, bal, rng.randrange(-3, 8) * 1000))
        if age < 18:
            return
        # Vehicles: few among the poor, and mostly not cars
        if rng.random() < (0.04 if poor else 0.22):
            vtype = rng.choices(("passenger_car", "truck", "motorcycle", "low_speed", "disabled_mobility"),
                                (1, 1, 5, 4, 1) if poor else (80, 5, 8, 5, 1))[0]
            reg = self.day(date(2008, 1, 1), first + timedelta(days=20))
            self.vehicle(p, vtype, reg, rng.choices(("normal", "transferred", "scrapped"), (80, 12, 8))[0])
        # Property
        r = rng.random()
        if r < (0.1 if poor else 0.75):
            self.estate(p, "residential", self.day(date(2000, 1, 1), first + timedelta(days=20)))
            if not poor and rng.random() < 0.25:
                self.estate(p, rng.choice(("residential", "garage", "commercial")),
                            self.day(date(2005, 1, 1), first + timedelta(days=20)))
        # Businesses
        if not poor and rng.random() < 0.05:
            self.enterprise(p, self.day(date(2005, 1, 1), first), rng.random() < 0.3)
        if rng.random() < (0.01 if poor else 0.05):
            self.individual_business(p, self.day(date(2008, 1, 1), first + timedelta(days=20)),
                                     rng.random() < 0.4)
        # Justice, unemployment, medical care, disability, emigration, expropriation
        if rng.random() < 0.006:
            adm = self.day(date(2010, 1, 1), first)
            rel = adm + timedelta(days=rng.randrange(200, 2500))
            self.prisoner(p, adm, rel if rel < first else None, rel)
        if rng.random() < 0.004:
            self.detention(p, self.day(date(2016, 1, 1), first), rng.randrange(10, 200))
        if rng.random() < 0.005:
            s = self.day(date(2016, 1, 1), first)
            self.correction(p, rng.choice(("probation", "parole", "temporary_outside")), s,
                            s + timedelta(days=rng.randrange(180, 1500)))
        if rng.random() < 0.01:
            self.debtor(p, self.day(date(2016, 1, 1), first + timedelta(days=20)), rng.random() < 0.3)
        if rng.random() < (0.06 if poor else 0.03) and age < 60:
            reg = self.day(date(2016, 1, 1), first + timedelta(days=20))
            st = rng.choices(("registered", "employed", "cancelled"), (3, 5, 2))[0]
            f.add("rs_unemployment", reg if st == "registered" else min(reg + timedelta(days=120), first),
                  {"id_number": dirty(self.w.seed, "rs_unemployment", p, xlsx=True), "name": p.name,
                   "registered_date": reg, "status": st,
                   "status_date": reg if st == "registered" else min(reg + timedelta(days=120), first),
                   "monthly_benefit": rng.randrange(1200, 1700, 10)})
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 3)):
                d = self.day(date(2016, 1, 1), first + timedelta(days=30))
                total = rng.randrange(80, 90000) * 100 / 100
                f.add("rs_medical_settlement", d, {
                    "settlement_id": f"YB{d:%Y%m%d}{self.serial():08d}",
                    "id_number": dirty(self.w.seed, "rs_medical_settlement", p, d), "settle_date": d,
                    "total_cost": total, "self_paid": round(total * rng.uniform(0.1, 0.5), 2)})
        if rng.random() < 0.01:
            issued = self.day(date(2012, 1, 1), first + timedelta(days=20))
            self.cert(p, rng.randint(1, 4), issued, "valid" if rng.random() < 0.9 else "cancelled")
        if rng.random() < 0.002:
            d = self.day(date(2016, 1, 1), first + timedelta(days=20))
            self.emigrate(p, d)
        if rng.random() < 0.003:
            d = self.day(date(2016, 1, 1), first + timedelta(days=20))
            f.add("zj_expropriation", d, {
                "agreement_no": f"ZS{d:%Y}{self.serial():07d}",
                "id_number": dirty(self.w.seed, "zj_expropriation", p, xlsx=True),
                "project": f"{rng.choice(names.STREETS)}片区棚户区改造", "compensation_amount": rng.randrange(8, 150) * 10000,
                "paid_date": d})

    def maybe_end(self, start: date, alive_until: date) -> date | None:
        end = start + timedelta(days=int(self.rng.expovariate(1 / 6.0) * 365))
        end = min(end, alive_until)
        return end if end < self.first + timedelta(days=300) else None

    def uscc(self, kind: str) -> str:
        body = f"{kind}2101{self.rng.randrange(10**11):011d}"
        return body + "0123456789ABCDEFGHJKLMNPQRTUWXY"[sum(map(ord, body)) % 31]

    def account_no(self, bank: str) -> str:
        return f"{6200 + BANKS.index(bank) * 11:04d}********{self.serial() % 10000:04d}{self.rng.randrange(100):02d}"

    # ---- one fact each; planted scenarios call these too --------------------------------
    def vehicle(self, p: Person, vtype: str, reg: date, status: str = "normal", status_date: date | None = None,
                business_date: date | None = None, plate: str | None = None) -> dict[str, object]:
        plate = plate or f"辽A{self.rng.choice('ABCDEFGHJKLMNPQ')}{self.rng.randrange(10000):04d}"
        if status != "normal" and status_date is None:
            status_date = reg + timedelta(days=self.rng.randrange(200, 3000))
            if status_date > self.first:
                status, status_date = "normal", None
        row = {"plate_no": plate, "owner_id_number": dirty(self.w.seed, "ga_vehicle", p), "vehicle_type": vtype,
               "use_nature": "private" if self.rng.random() < 0.93 else "commercial", "registered_date": reg,
               "status": status, "status_date": status_date}
        self.f.add("ga_vehicle", business_date or status_date or reg, row)
        return row

    def estate(self, p: Person, usage: str, reg: date, cancelled: date | None = None, share: float = 1.0,
               business_date: date | None = None, cert: str | None = None) -> dict[str, object]:
        cert = cert or f"辽(20{reg:%y})沈阳市不动产权第{self.serial():07d}号"
        row = {"cert_no": cert, "owner_id_number": dirty(self.w.seed, "zj_real_estate", p, cert),
               "share_ratio": share, "district_code": p.district, "usage": usage,
               "area_m2": round(self.rng.uniform(18, 140), 2), "registered_date": reg, "cancelled_date": cancelled}
        self.f.add("zj_real_estate", business_date or cancelled or reg, row)
        return row

    def enterprise(self, p: Person, est: date, ended: bool, *, status: str | None = None,
                   status_date: date | None = None, shareholders: tuple[Person, ...] = (),
                   business_date: date | None = None) -> str:
        uscc = self.uscc("91")
        if status is None:
            status = self.rng.choice(("revoked", "cancelled")) if ended else "active"
        if status != "active" and status_date is None:
            status_date = min(est + timedelta(days=self.rng.randrange(200, 3000)), self.first)
        self.f.add("sc_enterprise", business_date or status_date or est, {
            "uscc": uscc, "name": f"沈阳{self.rng.choice(names.STREETS)}{self.rng.choice(('商贸', '科技', '建材', '餐饮', '物流'))}有限公司",
            "legal_rep_id_number": dirty(self.w.seed, "sc_enterprise", p), "registered_capital": self.rng.randrange(3, 500) * 10,
            "status": status, "established_date": est, "status_date": status_date, "district_code": p.district})
        for sh in (p, *shareholders):
            self.f.add("sc_shareholder", business_date or est, {
                "uscc": uscc, "shareholder_id_number": dirty(self.w.seed, "sc_shareholder", sh, uscc),
                "share_ratio": round(1 / (1 + len(shareholders)), 4), "since_date": est, "until_date": None})
        return uscc

    def individual_business(self, p: Person, est: date, cancelled: bool, cancelled_date: date | None = None,
                            business_date: date | None = None) -> None:
        if cancelled and cancelled_date is None:
            cancelled_date = est + timedelta(days=self.rng.randrange(100, 2000))
            if cancelled_date > self.first:
                cancelled_date = None
        self.f.add("sc_individual_business", business_date or cancelled_date or est, {
            "registration_no": f"210100600{self.serial():06d}", "operator_id_number": dirty(self.w.seed, "sc_individual_business", p),
            "business_name": f"沈阳市{self.rng.choice(names.STREETS)}{self.rng.choice(('小吃部', '便利店', '五金店', '理发店', '修车铺'))}",
            "status": "cancelled" if cancelled_date else "active", "established_date": est, "cancelled_date": cancelled_date})

    def prisoner(self, p: Person, admitted: date, released: date | None, expected: date,
                 business_date: date | None = None) -> dict[str, object]:
        row = {"id_number": dirty(self.w.seed, "sf_prisoner", p, admitted, xlsx=True), "name": p.name,
               "prison": self.rng.choice(PRISONS), "admitted_date": admitted, "expected_release_date": expected,
               "released_date": released}
        self.f.add("sf_prisoner", business_date or released or admitted, row)
        return row

    def detention(self, p: Person, start: date, days: int) -> None:
        end = start + timedelta(days=days)
        self.f.add("ga_detention", end if end <= self.first else start, {
            "id_number": dirty(self.w.seed, "ga_detention", p, start), "name": p.name,
            "facility": self.rng.choice(DETENTION), "detained_date": start,
            "released_date": end if end <= self.first else None})

    def correction(self, p: Person, kind: str, start: date, end: date) -> None:
        self.f.add("sf_community_correction", start, {
            "id_number": dirty(self.w.seed, "sf_community_correction", p, start), "name": p.name,
            "correction_type": kind, "start_date": start, "end_date": end})

    def debtor(self, p: Person, listed: date, removed: bool) -> None:
        rem = listed + timedelta(days=self.rng.randrange(100, 900)) if removed else None
        if rem and rem > self.first:
            rem = None
        self.f.add("sf_dishonest_debtor", rem or listed, {
            "case_no": f"(20{listed:%y})辽01执{self.serial():04d}号", "id_number": dirty(self.w.seed, "sf_dishonest_debtor", p),
            "name": p.name, "amount_owed": self.rng.randrange(5000, 900000) / 1, "listed_date": listed,
            "removed_date": rem})

    def cert(self, p: Person, grade: int, issued: date, status: str = "valid", valid_until: date | None = None,
             business_date: date | None = None, dtype: str | None = None, renewal: int | None = None) -> None:
        suffix = f"{renewal % 100:02d}" if renewal is not None else ""
        self.f.add("cl_disability_cert", business_date or issued, {
            "cert_no": f"{p.id_number}{self.rng.randint(1, 7)}{grade}{suffix}", "id_number": dirty(self.w.seed, "cl_disability_cert", p),
            "name": p.name, "disability_type": dtype or self.rng.choice(("visual", "hearing", "speech", "physical",
                                                                          "intellectual", "mental", "multiple")),
            "grade": grade, "issued_date": issued, "valid_until": valid_until or date(issued.year + 10, issued.month, 1),
            "status": status})

    def emigrate(self, p: Person, settled: date, business_date: date | None = None) -> None:
        self.f.add("ga_emigration", business_date or settled, {
            "id_number": dirty(self.w.seed, "ga_emigration", p, xlsx=True), "name": p.name,
            "country": self.rng.choice(COUNTRIES), "settled_date": settled})
        if not p.planted:
            self.f.hukou_events.append((p, business_date or settled, "abroad", settled))


def add_disability_certs(b: PartnerBuilder) -> None:
    """残联 certificates of the disability-subsidy payees (care: grade 1-2, mostly in date)."""
    for c in b.w.cases:
        if c.program in ("disability_care", "disability_living") and not c.planted:
            grade = int(c.detail.get("grade", 2))  # type: ignore[call-overload]
            issued = c.approved - timedelta(days=b.rng.randrange(20, 400))
            status = "valid" if b.rng.random() > 0.03 else "cancelled"
            while True:  # renewed every 10 years, on the day it runs out
                until = date(issued.year + 10, issued.month, 1)
                b.cert(c.payee, grade, issued, status, valid_until=until, renewal=issued.year)
                if until > b.first or status != "valid":
                    break
                issued = until


def build_partners(world: World, catalogue: Catalogue, first: date) -> PartnerBuilder:
    b = PartnerBuilder(world, catalogue, first)
    b.build()
    add_disability_certs(b)
    return b


# ---- generators ----------------------------------------------------------------------------
def _rows(world: World, feed: str, unit: str | None = None) -> Iterator[tuple[str, date, dict[str, object]]]:
    for u, d, row in facts_of(world).rows.get(feed, []):
        yield (u or unit or ""), d, row


def _file(feed: str, unit: str):  # noqa: ANN202
    def gen(world: World, catalogue: Catalogue) -> Iterator[tuple[str, date, dict[str, object]]]:
        return _rows(world, feed, unit)
    return gen


def _api(feed: str):  # noqa: ANN202
    def gen(world: World, catalogue: Catalogue) -> Iterator[tuple[date, dict[str, object]]]:
        return ((d, row) for _, d, row in _rows(world, feed))
    return gen


def ga_hukou(world: World, catalogue: Catalogue) -> Iterator[tuple[date, dict[str, object]]]:
    f = facts_of(world)
    first = world.first_date
    events: dict[Person, list[tuple[date, str, date]]] = {}
    for p, bd, status, sd in f.hukou_events:
        events.setdefault(p, []).append((bd, status, sd))
    for p in world.persons:
        if p in f.no_hukou:
            continue
        e = f.hukou.get(p) or {"household_no": f"{p.district}8{p.id_number[8:16]}", "relation": "head"}
        raw = dirty(world.seed, "ga_hukou", p)
        base = {"id_number": raw, "name": p.name, "gender": str(p.gender), "birth_date": p.birth,
                "hukou_district_code": e.get("district", p.district), "household_no": e["household_no"],
                "relation_to_head": e["relation"]}
        state = ("normal", None, first)
        later = []
        for bd, status, sd in sorted(events.get(p, []), key=lambda x: x[0]):
            if bd <= first:
                state = (status, sd, first)
            else:
                later.append((status, sd, bd))
        for status, sd, bd in [state, *later]:
            yield bd, {**base, "status": status, "status_date": sd,
                       "updated_at": at(bd, 10, int(p.id_number[-3:-1]) % 60)}


def ga_vehicle(world: World, catalogue: Catalogue) -> Iterator[tuple[str, date, dict[str, object]]]:
    return _rows(world, "ga_vehicle", "GA-CGS")


def _months(start: date, end: date | None, last_me: date) -> Iterator[date]:
    m = max(mstart(start), date(2016, 1, 1))
    stop = mstart(last_me) if end is None else min(mstart(end), mstart(last_me))
    while m <= stop:
        yield m
        m = madd(m, 1)


def rs_contribution(world: World, catalogue: Catalogue) -> Iterator[tuple[str, date, dict[str, object]]]:
    last = last_month_end(world)
    for j in facts_of(world).jobs:
        raw = dirty(world.seed, "rs_contribution", j.person)
        for m in _months(j.start, j.end, last):
            yield "RS-SBZX", month_end(m), {
                "id_number": raw, "employer_uscc": j.uscc, "employer_name": j.employer if j.kind != "flexible" else "",
                "contribution_month": m, "payer_type": "flexible" if j.kind == "flexible" else "employer",
                "contribution_base": j.wage / 100}


def rs_pension(world: World, catalogue: Catalogue) -> Iterator[tuple[str, date, dict[str, object]]]:
    last = last_month_end(world)
    for pn in facts_of(world).pensions:
        raw = dirty(world.seed, "rs_pension", pn.person)
        died = pn.person.death
        for m in _months(pn.start, died, last):
            if died is not None and died < m:
                break
            yield "RS-YLJ", month_end(m), {"id_number": raw, "pay_month": m, "scheme": pn.scheme,
                                           "amount": (pn.amount + 1000 * (m.year - 2016) if pn.scheme == "employee"
                                                      else pn.amount) / 100}


def rs_public_employee(world: World, catalogue: Catalogue) -> Iterator[tuple[str, date, dict[str, object]]]:
    for j in facts_of(world).jobs:
        if j.kind == "public":
            row = {"id_number": dirty(world.seed, "rs_public_employee", j.person), "name": j.person.name,
                   "employer_name": j.employer, "employer_type": "government" if "政府" in j.employer or "局" in j.employer
                   else "public_institution", "start_date": j.start, "end_date": None, "monthly_salary": j.wage / 100}
            if j.end is None or j.end > world.first_date:  # else only the ended post is in the history
                yield "RS-RSJ", j.start, row
            if j.end is not None:
                yield "RS-RSJ", j.end, {**row, "end_date": j.end}
    yield from _rows(world, "rs_public_employee", "RS-RSJ")


def zj_provident_fund(world: World, catalogue: Catalogue) -> Iterator[tuple[str, date, dict[str, object]]]:
    last = last_month_end(world)
    seen: set[Person] = set()
    for j in facts_of(world).jobs:
        if not j.provident or j.person in seen:
            continue
        seen.add(j.person)
        raw = dirty(world.seed, "zj_provident_fund", j.person)
        for m in _months(j.start, j.end, last):
            yield "ZJ-GJJ", month_end(m), {"id_number": raw, "employer_name": j.employer, "deposit_month": m,
                                           "deposit_base": j.wage / 100, "monthly_deposit": round(j.wage * 0.24) / 100}


def sw_income(world: World, catalogue: Catalogue) -> Iterator[tuple[str, date, dict[str, object]]]:
    last = last_month_end(world)
    f = facts_of(world)
    for j in f.jobs:
        if not j.taxed:
            continue
        raw = dirty(world.seed, "sw_income", j.person)
        for m in _months(j.start, j.end, last):
            yield "SC-SWJ", month_end(m), {"纳税人身份证号": raw, "姓名": j.person.name, "所属期": m, "扣缴单位": j.employer,
                                           "收入额": j.wage / 100, "已缴税额": max(j.wage - 500000, 0) * 3 // 100 / 100}
    for p, employer, m, fen in f.income_overrides:
        if m <= last:
            yield "SC-SWJ", month_end(m), {"纳税人身份证号": p.id_number, "姓名": p.name, "所属期": m, "扣缴单位": employer,
                                           "收入额": fen / 100, "已缴税额": 0}


def jr_deposit(world: World, catalogue: Catalogue) -> Iterator[tuple[str, date, dict[str, object]]]:
    """Month-end snapshots per bank; CCB's is an API (``emit`` routes by unit mode)."""
    last = last_month_end(world)
    for a in facts_of(world).accounts:
        raw = dirty(world.seed, "jr_deposit", a.person, a.account_no, xlsx=a.bank == "JR-BOC")
        died = a.person.death
        for k, m in enumerate(_months(a.opened, a.closed, last)):
            if died is not None and died < m:
                break
            me = month_end(m)
            yield a.bank, me, {"id_number": raw, "account_no": a.account_no, "product": a.product,
                               "balance": max(a.balance + a.growth * k, 0) / 100, "as_of_date": me}


GENERATORS = {
    "ga_hukou": ga_hukou,
    "ga_vehicle": ga_vehicle,
    "ga_detention": _file("ga_detention", "GA-JG"),
    "ga_emigration": _file("ga_emigration", "GA-CRJ"),
    "rs_public_employee": rs_public_employee,
    "rs_contribution": rs_contribution,
    "rs_pension": rs_pension,
    "rs_unemployment": _file("rs_unemployment", "RS-JYZX"),
    "rs_medical_settlement": _api("rs_medical_settlement"),
    "zj_real_estate": _api("zj_real_estate"),
    "zj_provident_fund": zj_provident_fund,
    "zj_expropriation": _file("zj_expropriation", "ZJ-ZSB"),
    "sc_enterprise": _api("sc_enterprise"),
    "sc_shareholder": _api("sc_shareholder"),
    "sc_individual_business": _file("sc_individual_business", "SC-XZSP"),
    "sw_income": sw_income,
    "sf_prisoner": _file("sf_prisoner", "SF-JYJ"),
    "sf_community_correction": _file("sf_community_correction", "SF-SFJ"),
    "sf_dishonest_debtor": _file("sf_dishonest_debtor", "SF-ZY"),
    "cl_disability_cert": _file("cl_disability_cert", "WJ-CL"),
    "jr_deposit": jr_deposit,
}
_ = (datetime,)
