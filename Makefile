# The README's two commands are `make demo` and `make test`; the rest are for developers.
PY := .venv/bin/python
export PYTHONPATH := $(CURDIR)

.PHONY: setup demo test lint unit run-day pg-start pg-stop rig airflow-ui clean

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

clean: pg-stop    ## remove the local cluster, Airflow home, dbt target and rigs
	rm -rf .local rigs
