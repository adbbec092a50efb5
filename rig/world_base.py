"""The world builder's foundations: sizes, people, mortality, case lifecycle, death reports.

The background is "clean but real": cases end when their payee dies, except a few percent
that kept paying (the leads W01 exists for); partners report most deaths, late or with a
dirty identity number now and then. All randomness comes from one seeded ``random.Random``;
draws never depend on how many business days are written, so a 3-day rig is a prefix of a
10-day rig of the same seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rig import ids, names
from rig.catalogue import Catalogue
from rig.model import Case, DeathReport, Person, Staff, World, age_on, at, madd, mend, mstart


@dataclass(frozen=True)
class Size:
    dibao_households: int
    tekun: int
    orphans: int
    unsupported: int
    disability_care: int
    elderly: int
    temp: int
    noise_deaths: int
    institutions: int  # public and as many private, per district
    staff: tuple[int, int, int]  # approvers, case workers, cadres per district


SIZES = {
    "tiny": Size(400, 110, 8, 8, 60, 230, 70, 300, 1, (1, 2, 1)),
    "small": Size(11000, 3100, 220, 220, 1700, 6500, 1950, 7500, 3, (2, 5, 4)),
    # ~12.5 M records across all feeds (payments and the monthly partner feeds dominate)
    "city": Size(28500, 8100, 570, 570, 4500, 16900, 5100, 19500, 7, (3, 12, 10)),
}

# Share of each district's caseload that is urban (the rig's choice; the catalogue names only
# the districts) and relative caseload weights.
URBAN_SHARE = {
    "210102": 1.0, "210103": 1.0, "210104": 1.0, "210105": 1.0, "210106": 0.95, "210111": 0.6,
    "210112": 0.7, "210113": 0.5, "210114": 0.6, "210115": 0.3, "210123": 0.15, "210124": 0.15,
    "210181": 0.25,
}
WEIGHT = {
    "210102": 1.0, "210103": 1.0, "210104": 1.2, "210105": 1.3, "210106": 1.5, "210111": 0.8,
    "210112": 0.9, "210113": 0.7, "210114": 0.9, "210115": 0.9, "210123": 0.8, "210124": 0.9,
    "210181": 1.2,
}
# Birth registrations in other Liaoning cities: people who moved to Shenyang later.
OTHER_LIAONING = ("210202", "210302", "210402", "210502", "210602", "210702", "210802", "211002", "211202")
LEAK = 0.04  # share of payee deaths after which payments went on
CARE_LEVELS = ("self_care", "partial", "full")


class BuilderBase:
    def __init__(self, seed: int, size: str, first_date: date, catalogue: Catalogue) -> None:
        self.cat = catalogue
        self.rng = random.Random(f"minzheng-rig:{seed}")
        self.size = SIZES[size]
        self.first = first_date
        self.sim_end = first_date + timedelta(days=366)
        self.new_until = first_date + timedelta(days=30)  # no case is approved after this
        self.districts = list(catalogue.districts)
        self.world = World(seed, size, first_date,
                           district_index={d: i for i, d in enumerate(sorted(self.districts))})
        self.police = catalogue.police_units()
        self.used: set[str] = set()
        self.counters: dict[str, int] = {}
        self.stations = {d: [names.police_station(self.rng) for _ in range(4)] for d in self.districts}
        self.staff_by: dict[tuple[str, str], list[Staff]] = {}

    # ---- small helpers -------------------------------------------------------------
    def next(self, prefix: str) -> int:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return self.counters[prefix]

    def day_between(self, lo: date, hi: date) -> date:
        return lo + timedelta(days=self.rng.randrange(max((hi - lo).days, 0) + 1))

    def pick_district(self) -> str:
        return self.rng.choices(self.districts, [WEIGHT.get(d, 1.0) for d in self.districts])[0]

    def is_rural(self, district: str) -> bool:
        return self.rng.random() > URBAN_SHARE.get(district, 0.6)

    def birth_area(self, district: str, birth: date) -> str:
        r = self.rng.random()
        if r < 0.03:
            return self.rng.choice(OTHER_LIAONING)
        if r < 0.10:
            district = self.rng.choice(self.districts)
        # 辽中 was 辽中县 (210122) until 2016: older residents keep that code in their number.
        if district == "210115" and birth.year < 2016:
            return "210122"
        return district

    def person(self, birth: date, gender: int | None = None, district: str | None = None,
               mortality_from: date | None = None, frailty: float = 1.0) -> Person:
        gender = gender or self.rng.choice((1, 2))
        district = district or self.pick_district()
        area = self.birth_area(district, birth)
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if gender == 1 else 0)
            number = ids.make_id(area, birth, seq)
            if number not in self.used:
                break
        self.used.add(number)
        p = Person(number, names.person_name(self.rng, gender), gender, birth, district)
        if mortality_from is not None:
            p.death = self.draw_death(birth, mortality_from, frailty)
        self.world.persons.append(p)
        return p

    def draw_death(self, birth: date, start: date, frailty: float = 1.0) -> date | None:
        """Gompertz-like annual mortality, stepped year by year up to the simulation end."""
        t = max(start, birth)
        while t < self.sim_end:
            seg_end = min(date(t.year + 1, 1, 1), self.sim_end)
            q = min(0.6, 0.00002 * math.exp(0.1 * age_on(birth, t))) * frailty
            if self.rng.random() < q * (seg_end - t).days / 365.25:
                return t + timedelta(days=self.rng.randrange(max((seg_end - t).days, 1)))
            t = seg_end
        return None

    def first_pay_month(self, approved: date, district: str) -> date:
        """The approval month if its pay day is still ahead, else the next month."""
        m = mstart(approved) if self.world.pay_at(district, mstart(approved)).date() > approved \
            else madd(mstart(approved), 1)
        return max(m, date(2016, 1, 1))

    def staff_for(self, district: str, role: str, on: date) -> str:
        pool = self.staff_by.get((district, role), [])
        live = [s for s in pool if s.active_from <= on and (s.active_to is None or s.active_to >= on)]
        return self.rng.choice(live or pool).staff_id if pool else ""

    def new_case(self, program: str, prefix: str, district: str, payee: Person, approved: date,
                 **kw: object) -> Case:
        ref = f"{prefix}{district}{self.next(prefix + district):07d}"
        case = Case(program, ref, district, payee, approved,
                    created_at=at(approved, 9 + self.rng.randrange(8), self.rng.randrange(60)),
                    first_month=self.first_pay_month(approved, district), **kw)  # type: ignore[arg-type]
        case.handler = self.staff_for(district, "case_worker", approved)
        case.approver = self.staff_for(district, "approver", approved)
        self.world.cases.append(case)
        return case

    def settle(self, case: Case, planned_end: date | None) -> None:
        """End the case at its payee's death (usually in time) or at its planned end."""
        death = case.payee.death
        if death and death <= self.sim_end and (planned_end is None or death <= planned_end):
            dm = mstart(death)
            if self.rng.random() < LEAK:
                if self.rng.random() < 0.3:
                    case.last_month = None  # nobody noticed: still paid today
                else:
                    case.last_month = madd(dm, self.rng.randint(1, 30))
                    case.terminated = mend(case.last_month) + timedelta(days=self.rng.randint(3, 20))
            else:
                case.last_month = dm
                case.terminated = death + timedelta(days=self.rng.randint(3, 25))
        elif planned_end and planned_end <= self.sim_end:
            case.last_month = mstart(planned_end)
            case.terminated = planned_end
        if case.terminated:
            case.terminated_at = at(case.terminated, 10 + self.rng.randrange(6), self.rng.randrange(60))

    def planned_end(self, approved: date, mean_years: float) -> date | None:
        end = approved + timedelta(days=int(self.rng.expovariate(1 / mean_years) * 365))
        return end if end <= self.sim_end else None

    # ---- deaths as the three sources report them ----------------------------------
    def report_death(self, p: Person) -> None:
        d = p.death
        assert d is not None
        unit = self.police.get(p.district)
        rural = URBAN_SHARE.get(p.district, 0.6) < 0.5
        xlsx = unit is not None and self.cat.delivery(unit, "ga_death").format == "xlsx"
        if unit and self.rng.random() < 0.93:
            r = self.rng.random()
            lag = self.rng.randint(1, 15) if r < 0.7 else self.rng.randint(16, 60) if r < 0.95 else \
                self.rng.randint(61, 400)
            stated = d if self.rng.random() > 0.02 else d + timedelta(days=self.rng.choice((-3, -2, -1, 1, 2)))
            self.add_report("ga", p, stated, d + timedelta(days=lag), self.dirty_id(p, xlsx),
                            place=self.rng.choice(self.stations[p.district]))
        if self.rng.random() < 0.78:
            late = self.rng.random() < 0.02
            published = d + timedelta(days=self.rng.randint(30, 200) if late else self.rng.randint(0, 5))
            self.add_report("wj", p, d, published, self.dirty_id(p, False),
                            place=names.hospital(self.rng, self.cat.districts[p.district], rural))
        if self.rng.random() < (0.55 if rural else 0.92):
            cremated = d + timedelta(days=self.rng.randint(2, 4))
            home = names.FUNERAL_HOMES[0 if not rural else self.rng.randrange(len(names.FUNERAL_HOMES))]
            self.add_report("mz", p, d, cremated, p.id_number, place=home,
                            at_=at(cremated, 14, self.rng.randrange(60)))

    def dirty_id(self, p: Person, xlsx: bool) -> str:
        r = self.rng.random()
        if r < 0.04:
            return ids.dirty(p.id_number, self.rng.choice(ids.applicable_dirt(p.id_number)))
        if r < 0.047:
            return ids.dirty(p.id_number, "scientific" if xlsx and self.rng.random() < 0.7 else "wrong_check")
        return p.id_number

    def add_report(self, source: str, p: Person, stated: date, business_date: date, id_raw: str, *,
                   place: str = "", at_: datetime | None = None) -> DeathReport:
        if source == "wj":
            ref = f"{p.district}{business_date:%Y}{self.next('wj' + p.district):06d}"
        elif source == "mz":
            ref = f"HH{business_date:%Y%m%d}{self.next('cremation'):06d}"
        else:
            ref = ""
        rep = DeathReport(source, p, stated, business_date, id_raw, ref, place, at_)
        self.world.deaths.append(rep)
        return rep
