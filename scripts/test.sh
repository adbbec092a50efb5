#!/usr/bin/env bash
# The project's one test command (`make test`, and what .ci/run calls).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD
scripts/lint.sh
.venv/bin/python -m pytest -q "$@"
