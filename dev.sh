#!/usr/bin/env bash
# One entry point for a fresh machine: every command sets up what it needs first (idempotent).
#   ./dev.sh app     start the browser app on http://127.0.0.1:8765 (--host/--port to change)
#   ./dev.sh test    run the test suite (what CI runs)
#   ./dev.sh setup   only install: Debian packages, Python 3.12 venv in .venv, the package,
#                    the app's page assets (npm registry -> solara's local CDN cache)
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(chromium)       # the browser tests' headless browser (Playwright drives it)
command -v npm >/dev/null || APT_PACKAGES+=(npm)   # fetches the app's page assets (viz/assets.py)
export PYENV_VERSION=3.12.1   # .python-version says the same; explicit for shells outside the repo
export SOLARA_TELEMETRY_MIXPANEL_ENABLE=False

python312() {
  for candidate in python3.12 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
      echo "$candidate"; return
    fi
  done
  echo "error: Python 3.12+ not found (pyenv: 'pyenv install 3.12.1')" >&2; exit 1
}

APT_LOCK_WAIT=${APT_LOCK_WAIT:-300}   # seconds to wait for another apt/dpkg (e.g. unattended-upgrades)
APT_LOCK_POLL=${APT_LOCK_POLL:-10}

apt_get() {  # apt-get, waiting (bounded) while another apt or dpkg holds its lock
  local sudo="" deadline=$((SECONDS + APT_LOCK_WAIT)) out
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  while true; do
    if out=$($sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="${APT_LOCK_POLL%.*}" "$@" 2>&1); then
      [ -z "$out" ] || printf '%s\n' "$out"
      return 0
    fi
    if ! grep -qiE 'could not get lock|unable to acquire the dpkg|unable to lock' <<<"$out"; then
      printf '%s\n' "$out" >&2; return 1
    fi
    if ((SECONDS >= deadline)); then
      printf '%s\n' "$out" >&2
      echo "error: another apt or dpkg still holds the package lock after ${APT_LOCK_WAIT} s (on a fresh" \
           "machine usually unattended-upgrades). Wait for it to finish" \
           "('ps -C apt-get,apt,dpkg,unattended-upgr' shows it), then run ./dev.sh again;" \
           "APT_LOCK_WAIT=SECONDS waits longer." >&2
      return 1
    fi
    echo "waiting for another apt/dpkg to release the package lock ($((deadline - SECONDS)) s left)..." >&2
    sleep "$APT_LOCK_POLL"
  done
}

setup() {
  local missing=()
  for package in "${APT_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if ((${#missing[@]})); then
    apt_get update -qq
    apt_get install -y -qq "${missing[@]}"
  fi
  if [ ! -x .venv/bin/python ]; then
    "$(python312)" -m venv .venv
  fi
  if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[test]'
    touch .venv/.installed
  fi
  .venv/bin/python -m viz.assets >/dev/null   # offline page assets; skips what is already there
}

[[ "${BASH_SOURCE[0]}" == "$0" ]] || return 0   # sourced (tests): only define the functions

case "${1:-}" in
  setup) setup ;;
  app) setup; shift; exec .venv/bin/python -m viz "$@" ;;
  test) setup; shift; exec .venv/bin/python -m pytest "$@" ;;
  *) sed -n '2,5p' "$0"; exit 2 ;;
esac
