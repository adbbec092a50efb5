"""minzheng_daily: one business day, end to end.

prepare → ingest every partner of the catalogue (one factory) → dbt build → Soda gate →
revise warnings, circuit breaker, push to the discipline-inspection platform → pull the
verifiers' outcomes back (precision per rule) → summary.
Wiring only: each step is a function in ``ingest/`` with its own tests.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, TriggerRule, dag, get_current_context, task

from ingest.airflow_factory import build_ingest_tasks
from ingest.catalogue import load_catalogue


@task
def prepare() -> str:
    from ingest import pipeline
    from ingest.airflow_factory import business_date_for

    context = get_current_context()
    business_date = business_date_for(context["params"],
                                      context.get("logical_date") or context["dag_run"].run_after)
    pipeline.prepare(business_date)
    return business_date.isoformat()


@task(trigger_rule=TriggerRule.ALL_DONE)
def dbt_build(business_date: str) -> None:
    """Runs even when a partner failed: the others' data is still the best picture."""
    from ingest import pipeline

    pipeline.build_models(business_date)


@task
def quality_gate(business_date: str) -> str:
    from ingest import pipeline

    return pipeline.quality_gate(business_date)


@task
def publish(business_date: str) -> dict:
    from ingest import pipeline

    return pipeline.publish(business_date)


@task
def pull_verifications(business_date: str) -> dict:
    from ingest import pipeline

    return pipeline.pull_verifications(business_date)


@task
def summary(business_date: str) -> str:
    from ingest import pipeline

    text = pipeline.summary(business_date)
    print(text)
    return text


@dag(
    dag_id="minzheng_daily",
    schedule="30 2 * * *",
    start_date=pendulum.datetime(2026, 11, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0, "retry_delay": timedelta(minutes=5)},
    params={"business_date": Param("", type="string", description="YYYY-MM-DD; empty = day before the run")},
    tags=["minzheng"],
    doc_md=__doc__,
)
def minzheng_daily() -> None:
    business_date = prepare()
    ingest = build_ingest_tasks(load_catalogue(), business_date)
    built = dbt_build(business_date)
    for t in ingest:
        business_date >> t >> built
    gated = quality_gate(business_date)
    pushed = publish(business_date)
    built >> gated >> pushed >> pull_verifications(business_date) >> summary(business_date)


minzheng_daily()
