# The project's runtime image: the pinned stack plus the code (DAGs, ingest, dbt, soda).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SODA_CORE_TELEMETRY_ENABLED=false DBT_SEND_ANONYMOUS_USAGE_STATS=False DO_NOT_TRACK=1 \
    SCARF_ANALYTICS=false AIRFLOW__USAGE_DATA_COLLECTION__ENABLED=False
WORKDIR /opt/minzheng
COPY requirements/requirements.lock requirements/requirements.lock
RUN pip install --no-cache-dir uv==0.13.8 && uv pip install --system --no-cache -r requirements/requirements.lock
COPY . .
ENV PYTHONPATH=/opt/minzheng AIRFLOW__CORE__DAGS_FOLDER=/opt/minzheng/dags
