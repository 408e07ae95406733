#!/usr/bin/env bash
# Install the Debian packages the test suite needs (PostgreSQL, Redis, Chromium, poppler-utils, the OpenSSL GOST
# engine, NSS tools, PT fonts) when missing.
# Idempotent: installed packages are left alone and apt is not touched at all when nothing is missing.
# Works on a fresh Debian 12 machine; uses sudo only when not running as root.
set -euo pipefail

PACKAGES=(postgresql redis-server chromium poppler-utils libengine-gost-openssl libnss3-tools fonts-paratype)
PYTHON="${PYTHON:-python3}"

is_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "install-test-deps: need root or sudo to run: $*" >&2
        exit 1
    fi
}

missing=()
for package in "${PACKAGES[@]}"; do
    if ! dpkg -s "$package" >/dev/null 2>&1 || ! is_installed "$package"; then
        missing+=("$package")
    fi
done
# A fresh Debian python3 cannot create the project's virtualenv without its venv package (ensurepip). The Makefile
# prefers Debian's own python3.11 to any other (a faster build), so its package is wanted even when $PYTHON (pyenv's,
# say) can already make one; then it is optional: without root or sudo the virtualenv stays on $PYTHON.
can_venv() {
    command -v "$1" >/dev/null 2>&1 && "$1" -c 'import ensurepip, venv' >/dev/null 2>&1
}
if [[ -x /usr/bin/python3.11 ]] && ! can_venv /usr/bin/python3.11; then
    if can_venv "$PYTHON"; then
        if [[ "$(id -u)" -eq 0 ]] || command -v sudo >/dev/null 2>&1; then
            missing+=(python3.11-venv)
        else
            echo "install-test-deps: python3.11-venv needs root; the virtualenv is made on $PYTHON"
        fi
    else
        missing+=(python3.11-venv)
    fi
elif ! can_venv "$PYTHON"; then
    missing+=(python3-venv)
fi

if ((${#missing[@]})); then
    echo "install-test-deps: installing ${missing[*]}"
    as_root apt-get -o DPkg::Lock::Timeout=600 update
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
else
    echo "install-test-deps: all present (${PACKAGES[*]})"
fi

echo '--- versions'
dpkg-query -W -f='${Package} ${Version}\n' "${PACKAGES[@]}"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [[ -n "$pg_bin" ]]; then
    "$pg_bin/postgres" --version
fi
redis-server --version
chromium --version 2>/dev/null || echo 'chromium: --version failed (no display is fine for headless use)'
pdftotext -v 2>&1 | sed -n 1p
