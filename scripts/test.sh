#!/usr/bin/env bash
# Sets up (scripts/setup-tests.sh) and runs every check and test: lint, types, layering, unit,
# integration, app (AppTest) and browser (Playwright on Debian's Chromium) tests, and a bench smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-tests.sh
echo "== ruff"
python -m ruff check .
python -m ruff format --check .
echo "== mypy"; python -m mypy
echo "== import contracts"; lint-imports
echo "== pytest"; python -m pytest -n 2 --dist loadgroup "$@"
