#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks for gridgis: PostgreSQL server binaries
# with PostGIS (unless DATABASE_URL points at an existing PostGIS) and a venv with the
# pinned Python dependencies. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y -qq --no-install-recommends "$@" >/tmp/gridgis-apt.log 2>&1; then
    as_root apt-get update -qq >>/tmp/gridgis-apt.log 2>&1
    as_root apt-get install -y -qq --no-install-recommends "$@" >>/tmp/gridgis-apt.log 2>&1 \
      || { cat /tmp/gridgis-apt.log; echo "apt-get install $* failed" >&2; exit 1; }
  fi
}

has_postgis() {
  for bin in /usr/lib/postgresql/*/bin/initdb; do
    [ -x "$bin" ] || continue
    version=$(basename "$(dirname "$(dirname "$bin")")")
    ls /usr/share/postgresql/"$version"/extension/postgis.control >/dev/null 2>&1 && return 0
  done
  return 1
}

postgis_version_available() {
  for version in 15 16 17 14 13; do
    if apt-cache show "postgresql-$version-postgis-3" >/dev/null 2>&1; then
      echo "$version"; return 0
    fi
  done
  return 1
}

setup_postgis() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "DATABASE_URL is set: using that PostGIS, not installing one"
    return
  fi
  if has_postgis; then return; fi
  say "installing PostgreSQL + PostGIS from the distribution's packages"
  version=$(postgis_version_available || true)
  if [ -z "$version" ]; then
    as_root apt-get update -qq >/dev/null
    version=$(postgis_version_available) || { echo "no postgresql-*-postgis-3 package found" >&2; exit 1; }
  fi
  apt_install "postgresql-$version" "postgresql-$version-postgis-3"
}

setup_fonts() {
  # Member cards are PDFs with an embedded Chinese font: Debian's Noto Sans CJK.
  if [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then return; fi
  say "installing Debian's Noto CJK fonts (for the member cards' PDFs)"
  apt_install fonts-noto-cjk
}

setup_python() {
  local stamp=.venv/.installed
  if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then return; fi
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    say "installing python3-venv"
    apt_install python3-venv
  fi
  say "creating the Python environment (.venv) with the pinned dependencies"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
}

setup_map_assets() {
  # Leaflet and its plugins, served by the app itself (maps/static/vendor, git-ignored).
  if bash scripts/vendor-assets.sh --check; then return; fi
  if ! command -v npm >/dev/null; then
    say "installing npm (to fetch the map assets from the npm registry)"
    apt_install npm
  fi
  bash scripts/vendor-assets.sh
}

setup_browser() {
  # For the page tests (make test): Debian's chromium, driven by Playwright, and a font
  # with Chinese glyphs so the screenshots are readable.
  if [ -x /usr/bin/chromium ] && fc-list :lang=zh 2>/dev/null | grep -q . \
      && command -v docker-compose >/dev/null && command -v ogr2ogr >/dev/null \
      && command -v pdftoppm >/dev/null; then return; fi
  say "installing Debian's chromium, a Chinese font, docker-compose, gdal-bin and poppler for the tests"
  apt_install chromium fonts-wqy-microhei docker-compose gdal-bin poppler-utils
}

setup_node() {
  # For the pages' script tests (node --test tests/js/, make test): Node 18 or later.
  if command -v node >/dev/null; then return; fi
  say "installing Debian's nodejs for the page script tests"
  apt_install nodejs
}

setup_postgis
setup_python
setup_map_assets
setup_fonts
for option in "$@"; do
  case "$option" in
    --browser) setup_browser ;;
    --node) setup_node ;;
    *) echo "unknown option $option" >&2; exit 2 ;;
  esac
done
