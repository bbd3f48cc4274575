#!/usr/bin/env bash
# Install everything makerkit's tests need on a fresh Debian/Ubuntu machine, then run them all.
# Usage: bash scripts/test.sh [extra pytest arguments]
# System packages: mosquitto (real MQTT broker), simavr + the AVR toolchain (emulated Arduino Uno),
# avrdude (to compare uploaders), node/npm (to fetch a stock StandardFirmata build), PostgreSQL
# (the scale-out portfolio store; started if installed but not running), Debian's chromium with CJK fonts
# (the portfolio's HTML export is opened in it headless through playwright, launched on /usr/bin/chromium).
# zbar-tools reads the QR codes of the kit labels back, as a phone would.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

APT_PACKAGES=(mosquitto libsimavr-dev libelf-dev gcc-avr avr-libc arduino-core-avr avrdude nodejs npm
              postgresql chromium fonts-noto-cjk fonts-dejavu-core zbar-tools python3-venv)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# node/npm may come from elsewhere than Debian: only ask apt for them when the commands are missing.
if command -v npm >/dev/null 2>&1; then
    filtered=(); for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
    missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# PostgreSQL: use the running server on 127.0.0.1:5432 if there is one, else start the local cluster.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if ls /etc/postgresql/*/main >/dev/null 2>&1; then
        $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
fi

# makerkit and its test extras in a virtual environment (.venv): works on a system Python that
# refuses pip (PEP 668) too. PYTHON=/usr/bin/python3 picks the interpreter.
source scripts/venv.sh
makerkit_venv test

echo "== checking the import layers"
lint-imports

# Four pytest workers (pytest-xdist), a test file each at a time: most tests wait on emulated boards,
# brokers and browsers rather than compute, so four share two cores well (about 7 minutes here for
# the whole suite, against about 24 in one process). Every test starts its own brokers and databases;
# the shared builds and downloads take a lock (tests/support/locks.py). MAKERKIT_TEST_WORKERS=0 runs
# everything in this one process.
WORKERS="${MAKERKIT_TEST_WORKERS:-4}"
echo "== running the tests ($WORKERS workers)"
if [ "$WORKERS" = "0" ]; then
    python -m pytest "$@"
else
    python -m pytest -n "$WORKERS" --dist loadfile "$@"
fi
