# The README's two commands are `make demo` and `make test`; the rest are for developers.
PY := .venv/bin/python
export PYTHONPATH := $(CURDIR)

.PHONY: setup demo test lint unit run-day pg-start pg-stop rig airflow-ui migrate dbt-docs bench bench-csv clean

setup:            ## install PostgreSQL binaries (if missing) and the pinned Python stack
	@scripts/bootstrap.sh

demo: setup       ## embedded default: local PostgreSQL + generated city + servers; runs the days
	$(PY) -m ingest.cli demo $(DEMO_ARGS)

test: setup       ## lint + the whole test suite against a real PostgreSQL, real dbt, real Soda
	scripts/test.sh

lint: setup       ## ruff (with Airflow AIR rules) and sqlfluff (dbt templater)
	scripts/lint.sh

run-day: setup    ## run the daily DAG for DATE against the environment's rig (see README)
	$(PY) -m ingest.cli run-day $(DATE)

pg-start: setup   ## start the project's local PostgreSQL and print its DSN
	$(PY) -m ingest.localpg start

pg-stop:
	$(PY) -m ingest.localpg stop

airflow-ui: setup ## Airflow UI (airflow standalone) on the local cluster, http://127.0.0.1:8080
	$(PY) -m ingest.cli airflow-standalone $(AIRFLOW_UI_ARGS)

dbt-docs: setup   ## dbt docs (models, tests, lineage) of the local warehouse into .local/dbt/docs; serve: add SERVE=1
	@eval "$$($(PY) -c "from ingest.localpg import LocalCluster; from ingest.db import dsn_parts; c = LocalCluster(); c.start(); [print(f'export {k}={v!r}') for k, v in dsn_parts(c.dsn()).items()]")" && \
	DBT_SEND_ANONYMOUS_USAGE_STATS=False DBT_LOG_PATH=.local/dbt/logs .venv/bin/dbt docs generate --project-dir . --profiles-dir . --target-path .local/dbt/docs && \
	echo "dbt docs: .local/dbt/docs/index.html" && \
	if [ -n "$(SERVE)" ]; then .venv/bin/dbt docs serve --project-dir . --profiles-dir . --target-path .local/dbt/docs --host 127.0.0.1 --port 8081; fi

migrate: setup    ## apply the warehouse's migrations (roles, grants, audit/reporting views) to WAREHOUSE_DSN
	$(PY) -m ingest.migrate

bench: setup      ## city-scale benchmark (not a test): per stage time, rows/s, memory, DB size vs the floor; SIZE=city|small|tiny
	$(PY) scripts/bench_city.py --size $(or $(SIZE),city) $(BENCH_ARGS)

bench-csv: setup  ## the benchmark's CSV stage alone vs psql \copy, RUNS times (needs the rig `make bench` made)
	$(PY) scripts/bench_csv.py --size $(or $(SIZE),city) --runs $(or $(RUNS),1)

clean: pg-stop    ## remove the local cluster, Airflow home, dbt target and rigs
	rm -rf .local rigs
