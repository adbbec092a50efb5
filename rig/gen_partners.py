"""Generators for partner feeds. File feeds yield ``(unit, business_date, row)``; API feeds
``(business_date, row)``. Identity numbers are as the partner holds them (dirt included)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from rig.catalogue import Catalogue
from rig.model import World


def ga_death(world: World, catalogue: Catalogue) -> Iterator[tuple[str, date, dict[str, object]]]:
    police = catalogue.police_units()
    for r in world.deaths:
        if r.source == "ga":
            yield police[r.person.district], r.business_date, {
                "公民身份号码": r.id_raw, "姓名": r.person.name, "死亡日期": r.death_date,
                "注销日期": r.business_date, "派出所": r.place,
            }


def wj_death_certificate(world: World, catalogue: Catalogue) -> Iterator[tuple[date, dict[str, object]]]:
    for r in world.deaths:
        if r.source == "wj":
            yield r.business_date, {"certificate_no": r.ref, "id_number": r.id_raw, "name": r.person.name,
                                    "death_date": r.death_date, "institution": r.place}
