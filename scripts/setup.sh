#!/usr/bin/env bash
# Set up Détente in ./.venv from the pinned lock file.
#   scripts/setup.sh         runtime + developer tools
#   scripts/setup.sh --test  also the system packages the tests need (Chromium for the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.detente-installed
want=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # requirements.lock pins every transitive dependency; pyproject pins the direct ones.
  .venv/bin/python -m pip install --quiet -c requirements.lock -e ".[dev]"
  echo "$want" > "$stamp"
fi

if [ "${1:-}" = "--test" ]; then
  # Debian's Chromium (with its driver) for the Playwright browser tests; never a downloaded browser.
  if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      echo "Installing Debian's chromium for the browser tests..."
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    else
      echo "warning: /usr/bin/chromium missing and cannot apt-get install it: browser tests will be skipped" >&2
    fi
  fi
fi
