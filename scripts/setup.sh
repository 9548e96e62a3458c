#!/usr/bin/env bash
# Install what Sanshe needs; each step is skipped when already done.
#
#   scripts/setup.sh          Python deps (.venv), htmx + Pico CSS from npm, compiled catalogs
#   scripts/setup.sh --test   the same, plus Debian's chromium, postgresql, pgbouncer and repmgr when missing
#
# Stamps: .venv/.sanshe-stamp holds the hash of constraints.txt + pyproject.toml;
# node_modules/.sanshe-stamp the hash of package-lock.json. Change either file (or delete
# the directory) and the step runs again.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "需要 root 权限 / need root to run: $*" >&2; exit 1
  fi
}

APT_UPDATED=0
apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "缺少 $* 且没有 apt-get / missing $* and this is not a Debian system: install them yourself" >&2
    exit 1
  fi
  if [[ $APT_UPDATED -eq 0 ]]; then
    say "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# --- Debian packages the tests need ------------------------------------------------
if [[ $WITH_TEST -eq 1 ]]; then
  missing=()
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  [[ -x /usr/sbin/pgbouncer ]] || missing+=(pgbouncer)  # tests marked pgbouncer (docs/deployment-database.md)
  if [[ ${#missing[@]} -gt 0 ]]; then apt_install "${missing[@]}"; fi
  # repmgr for the failover test (tests/test_replica.py), built for the PostgreSQL the tests run:
  # the newest /usr/lib/postgresql/<version> (core/testing/pgserver.py picks the same)
  pg_bin=$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -1 | xargs dirname)
  [[ -x "$pg_bin/repmgrd" ]] || apt_install "postgresql-$(basename "$(dirname "$pg_bin")")-repmgr"
fi

# --- A CJK font for PDF statements (time bank) -----------------------------------------
# fpdf2 embeds a subset of Noto Sans CJK SC from Debian's fonts-noto-cjk.
if ! compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc" >/dev/null; then
  if command -v apt-get >/dev/null; then apt_install fonts-noto-cjk
  else echo "提示 / note: install a CJK font (fonts-noto-cjk) or set SANSHE_CJK_FONT for PDF statements" >&2
  fi
fi

# --- Python ------------------------------------------------------------------------
PYTHON="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "需要 Python ≥ 3.11 / Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
    exit 1
  fi
  say "creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv || { apt_install python3-venv && "$PYTHON" -m venv .venv; }
fi
py_hash=$(hash_of constraints.txt pyproject.toml)
if [[ "$(cat .venv/.sanshe-stamp 2>/dev/null)" != "$py_hash" ]]; then
  say "installing Python dependencies (constraints.txt)"
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"
  echo "$py_hash" > .venv/.sanshe-stamp
fi

# --- Front-end assets from the npm registry (pinned in package-lock.json) -----------
js_hash=$(hash_of package-lock.json)
if [[ "$(cat node_modules/.sanshe-stamp 2>/dev/null)" != "$js_hash" ]]; then
  command -v npm >/dev/null || apt_install npm
  say "installing htmx and Pico CSS (npm ci)"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$js_hash" > node_modules/.sanshe-stamp
fi
mkdir -p core/static/vendor
for asset in node_modules/htmx.org/dist/htmx.min.js node_modules/@picocss/pico/css/pico.min.css; do
  target="core/static/vendor/$(basename "$asset")"
  cmp -s "$asset" "$target" || cp "$asset" "$target"
done

# --- Translations ------------------------------------------------------------------
.venv/bin/python scripts/compile_catalogs.py >/dev/null
say "set-up complete"
