#!/usr/bin/env bash
# Set up Détente in ./.venv from the pinned lock file.
#   scripts/setup.sh         the app: the core plus the landscape, pdf, web and postgres extras
#   scripts/setup.sh --test  every extra (spark too), the developer tools, and the system packages the tests need
#                            (Debian's Chromium for the browser tests, CJK fonts for reports,
#                            poppler-utils for pictures of report pages)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# the library's ranges are in pyproject.toml; requirements.lock pins the app's exact tree
extra="[landscape,pdf,web,postgres]"
[ "$mode" = "--test" ] && extra="[all,dev]"
stamp=.venv/.detente-installed${mode:+-dev}
want=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # requirements.lock pins every transitive dependency (used as constraints).
  .venv/bin/python -m pip install --quiet -c requirements.lock -e ".${extra}"
  echo "$want" > "$stamp"
fi

if [ "$mode" = "--test" ]; then
  missing=""
  [ -x /usr/bin/chromium ] || missing="$missing chromium"
  fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing="$missing fonts-noto-cjk"
  # pdftoppm renders report pages to pictures (docs/img/report-page1.png; see docs/report.md)
  command -v pdftoppm >/dev/null || missing="$missing poppler-utils"
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      echo "Installing Debian packages for the tests:$missing"
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
      echo "warning: missing$missing and cannot apt-get install: browser tests will be skipped" >&2
    fi
  fi
fi
