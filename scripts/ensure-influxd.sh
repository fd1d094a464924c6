#!/usr/bin/env bash
# Makes sure an `influxd` (InfluxDB 1.x) is on PATH, installing Debian's `influxdb` package
# when it is missing. The test suite and the demo start their own throwaway server from it;
# the package's system service is never used.
set -euo pipefail

if command -v influxd >/dev/null 2>&1; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    cat >&2 <<'MSG'
influxd (InfluxDB 1.x) is not on PATH and this machine has no apt-get to install it.
Install InfluxDB 1.x by your platform's means (e.g. Debian/Ubuntu: `apt-get install influxdb`,
or the official 1.x tarball) so that `influxd` is on PATH, then run this command again.
MSG
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "influxd is missing and installing it needs root (apt-get install influxdb)." >&2
        exit 1
    fi
fi

echo "influxd not found: installing Debian's influxdb package (the system service stays unused)..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# A policy-rc.d answering 101 keeps the package from starting its own service (honoured by
# invoke-rc.d); it is only put in place, and removed again, when none exists.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod +x "$POLICY"
    trap '$SUDO rm -f "$POLICY"' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends influxdb >/dev/null
command -v influxd >/dev/null 2>&1 || { echo "installing influxdb did not put influxd on PATH" >&2; exit 1; }
echo "installed: $(influxd version)"
