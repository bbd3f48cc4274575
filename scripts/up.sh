#!/usr/bin/env bash
# The one-laptop classroom on embedded defaults, on a fresh machine: a virtual environment in .venv with
# makerkit in it, then `makerkit classroom up` (a virtual kit, the embedded broker, a SQLite portfolio).
# Usage: bash scripts/up.sh [makerkit classroom up options]   (default: --duration 30)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
makerkit_venv ""
if [ "$#" -eq 0 ]; then set -- --duration 30; fi
exec makerkit classroom up "$@"
