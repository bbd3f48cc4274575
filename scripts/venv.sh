# Sourced by scripts/up.sh and scripts/test.sh: make sure ./.venv exists and holds makerkit
# (editable) with the extras in $1, then put it first on PATH. A virtual environment works on a system
# Python that refuses `pip install` (PEP 668: Debian 12, Ubuntu 24.04) as on any other Python.
# PYTHON picks the interpreter (default: python3). MAKERKIT_VENV picks the folder (default: .venv).
makerkit_venv() {
    local extras="${1:-}"
    local python="${PYTHON:-python3}"
    local venv="${MAKERKIT_VENV:-.venv}"
    if [ ! -x "$venv/bin/python" ]; then
        echo "== creating the virtual environment $venv (with $python)"
        if ! "$python" -m venv "$venv" 2>/dev/null; then
            rm -rf "$venv"
            # Debian and Ubuntu ship venv as a separate package
            if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || command -v sudo >/dev/null 2>&1; }; then
                local sudo=""; [ "$(id -u)" = "0" ] || sudo="sudo"
                echo "== installing python3-venv"
                $sudo apt-get update -qq
                $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv
                "$python" -m venv "$venv"
            else
                echo "makerkit: $python cannot create a virtual environment. Install python3-venv" >&2
                echo "  (Debian/Ubuntu: sudo apt install python3-venv), then run this again." >&2
                echo "makerkit：无法创建虚拟环境。请先安装 python3-venv（sudo apt install python3-venv），再运行一次。" >&2
                return 1
            fi
        fi
    fi
    echo "== installing makerkit${extras:+ with $extras} into $venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -e ".${extras:+[$extras]}"
    PATH="$(cd "$venv/bin" && pwd):$PATH"
    export PATH VIRTUAL_ENV="$(cd "$venv" && pwd)"
}
