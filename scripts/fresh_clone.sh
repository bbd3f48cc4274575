#!/usr/bin/env bash
# The README's first command as a new user runs it: in a fresh clone of this checkout's HEAD, with the
# system Python (/usr/bin/python3 when there is one: on Debian 12 / Ubuntu 24.04 it refuses plain
# `pip install`, PEP 668), then checks that readings reached the SQLite portfolio. CI runs it after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-/usr/bin/python3}"
[ -x "$PY" ] || PY=python3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q . "$work/makerkit"
cd "$work/makerkit"
echo "== README command 1 in a fresh clone, with $PY"
start=$(date +%s)
PYTHON="$PY" bash scripts/up.sh --duration 10 --db "$work/classroom.db" > "$work/up.log" 2>&1 || {
    tail -40 "$work/up.log"; echo "README command 1 failed in a fresh clone" >&2; exit 1; }
tail -3 "$work/up.log"
rows=$(.venv/bin/python -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from telemetry').fetchone()[0])" "$work/classroom.db")
echo "== $rows readings stored; the whole command took $(( $(date +%s) - start )) s"
[ "$rows" -gt 0 ]
