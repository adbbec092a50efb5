"""The one catalogue-driven factory that turns ``feeds.yml`` into the daily DAG's ingest tasks.

No partner has code of its own: a unit-feed pair of the catalogue becomes a task whose
loader is chosen by its mode; where several units deliver the same feed the same way
(13 police branches, the banks), one task is mapped over the units, so each unit is its own
task instance and one partner's failure fails only that instance.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from airflow.sdk import TaskGroup, task

from ingest.catalogue import Catalogue, Delivery

SHANGHAI = "Asia/Shanghai"


def business_date_for(params: dict, logical_date) -> date:  # type: ignore[no-untyped-def]
    """The run's business date: ``params.business_date`` if given, else the day before the
    run's logical date in Shanghai (the run for D starts after 02:00 on D+1). A manual trigger
    without a logical date (Airflow 3 allows it) takes the moment it runs: its ``run_after``."""
    given = (params or {}).get("business_date")
    if given:
        return date.fromisoformat(str(given))
    import pendulum

    return pendulum.instance(logical_date).in_timezone(SHANGHAI).date() - timedelta(days=1)


@task(retries=0)
def ingest_file_feed(unit: str, feed: str, business_date: str) -> list[dict]:
    """May wait (bounded by the cut-off, DELIVERY_WAIT_MINUTES) for today's delivery; see
    ingest/lateness.py for why this is a poll in the task rather than a deferrable sensor."""
    from ingest import pipeline

    return pipeline.ingest_files(unit, feed, date.fromisoformat(business_date))


@task(retries=1, retry_delay=timedelta(minutes=5))
def ingest_api_feed(unit: str, feed: str, business_date: str) -> list[dict]:
    from ingest import pipeline

    return pipeline.ingest_api(unit, feed, date.fromisoformat(business_date))


@task(retries=1, retry_delay=timedelta(minutes=5))
def ingest_db_feed(feed: str, business_date: str) -> list[dict]:
    from ingest import pipeline

    return pipeline.ingest_db(feed, date.fromisoformat(business_date))


def _group_by_feed_and_mode(deliveries: list[Delivery]) -> dict[tuple[str, str], list[Delivery]]:
    groups: dict[tuple[str, str], list[Delivery]] = defaultdict(list)
    for d in deliveries:
        groups[(d.feed.name, d.mode)].append(d)
    return groups


def build_ingest_tasks(catalogue: Catalogue, business_date) -> list:  # type: ignore[no-untyped-def]
    """One task group per domain; inside, one task per feed and mode, mapped over its units."""
    tasks = []
    by_domain: dict[str, list[Delivery]] = defaultdict(list)
    for d in catalogue.deliveries:
        by_domain[d.domain].append(d)
    for domain, deliveries in by_domain.items():
        with TaskGroup(group_id=domain):
            for (feed, mode), units in _group_by_feed_and_mode(deliveries).items():
                if mode == "db":
                    tasks.append(ingest_db_feed.override(task_id=feed)(feed=feed, business_date=business_date))
                elif mode == "api":
                    for d in units:
                        tasks.append(ingest_api_feed.override(task_id=d.task_id)(
                            unit=d.unit, feed=feed, business_date=business_date))
                elif len(units) == 1:
                    tasks.append(ingest_file_feed.override(task_id=units[0].task_id)(
                        unit=units[0].unit, feed=feed, business_date=business_date))
                else:
                    tasks.append(ingest_file_feed.override(task_id=feed).partial(
                        feed=feed, business_date=business_date).expand(unit=[d.unit for d in units]))
    return tasks
