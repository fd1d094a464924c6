#!/usr/bin/env bash
# Makes sure the Python given as $1 (default python3) is 3.11+ and can create virtualenvs,
# installing Debian's python3-venv when the venv module or ensurepip is missing.
set -euo pipefail

PYTHON="${1:-python3}"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "$PYTHON is not on PATH: install Python 3.11 or newer (Debian: apt-get install python3)." >&2
    exit 1
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "influxorm needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)." >&2
    echo "Run make with PYTHON=/path/to/python3.11 (or newer)." >&2
    exit 1
fi

if "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "$PYTHON cannot create virtualenvs (no venv/ensurepip); install its venv support." >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "$PYTHON cannot create virtualenvs and installing python3-venv needs root." >&2
        exit 1
    fi
fi

VERSION="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
echo "installing Debian's venv support for Python $VERSION..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "python$VERSION-venv" >/dev/null \
    || $SUDO apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
"$PYTHON" -c 'import ensurepip, venv'
