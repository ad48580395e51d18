#!/usr/bin/env bash
# Prepare this machine for Comptoir: `.venv` with the project and its dev tools, and the
# Debian libraries WeasyPrint, the PDF tests and the browser tests need. Quick and silent
# when nothing changed: `make run` and `make test` call it every time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=${VENV:-.venv}
STAMP="$VENV/.comptoir-installed"  # sha256 of pyproject.toml at the last successful install
DEBIAN_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium fonts-dejavu-core)

log() { printf '[setup] %s\n' "$*"; }
warn() { printf '[setup] warning: %s\n' "$*" >&2; }

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# 1. The virtualenv.
if [ ! -x "$VENV/bin/python" ]; then
  if ! python=$(find_python); then
    echo "[setup] error: Python >= 3.11 is required (tried \$PYTHON, python3.11, python3, python)" >&2
    exit 1
  fi
  log "creating $VENV with $("$python" --version 2>&1)"
  "$python" -m venv "$VENV"
fi

# 2. The project and its dev tools, again only when pyproject.toml changed.
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
installed=$(cat "$STAMP" 2>/dev/null || true)
if [ "$wanted" != "$installed" ]; then
  log "installing the project into $VENV (pyproject.toml changed since the last install)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  echo "$wanted" >"$STAMP"
fi

# 3. Debian libraries: installed when missing and we may (root + apt-get), else a warning.
if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for package in "${DEBIAN_PACKAGES[@]}"; do
    if ! dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed'; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing Debian packages: ${missing[*]}"
      if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; then
        warn "could not install ${missing[*]}: invoices (WeasyPrint) or browser tests may fail"
      fi
    else
      warn "missing Debian packages: ${missing[*]} (install them: sudo apt-get install ${missing[*]})"
    fi
  fi
else
  warn "no dpkg here: install Pango, HarfBuzz (subset), poppler-utils, Chromium and DejaVu fonts yourself"
fi
