#!/usr/bin/env bash
# Zorgt dat Debian's Chromium op /usr/bin/chromium staat (voor de browsertests).
# Ensures Debian's Chromium is installed at /usr/bin/chromium (for the browser tests).
# Playwright's own browser download cannot work here: the tests use this binary instead.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

if [[ -x /usr/bin/chromium ]]; then
    echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "chromium: niet geïnstalleerd en geen root-rechten / not installed and not root." >&2
        echo "          Installeer met / install with: apt-get install -y chromium" >&2
        exit 1
    fi
fi

echo "chromium: installing Debian package 'chromium' (apt-get) ..."
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null

if [[ ! -x /usr/bin/chromium ]]; then
    echo "chromium: install finished but /usr/bin/chromium is missing" >&2
    exit 1
fi
echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
