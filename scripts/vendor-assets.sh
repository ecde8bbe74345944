#!/usr/bin/env bash
# Fills maps/static/vendor/ (git-ignored) with the browser assets the map pages use, taken
# from the npm registry at pinned versions and checked against pinned sha512 digests, so the
# app serves them itself: the pages never load anything from a CDN (intranets have none).
# Safe to run again: it does nothing when the pinned versions are already there.
# `--check` only answers (exit 0) whether they are.
set -euo pipefail
cd "$(dirname "$0")/.."

VENDOR=maps/static/vendor
# name@version  sha512 (npm's "integrity" of the tarball)
PACKAGES=(
  "leaflet@1.9.4 sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
  "leaflet.markercluster@1.5.3 sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA=="
  "leaflet.vectorgrid@1.3.0 sha512-kWmj1pKM+MVdo/7Mg5zsB3YrGZvo/uIuiANV9MvWUFOG+Y2xAJzrteDhoIcCgTjHSSRJ36xdeGdIQVhuWjnCZw=="
  "axe-core@4.10.3 sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="
)
# axe-core checks the pages' accessibility in the tests only: it goes to tests/vendor, not
# to the pages' static files.
TEST_VENDOR=tests/vendor
STAMP="$VENDOR/.versions"
wanted=$(printf '%s\n' "${PACKAGES[@]}" | cut -d' ' -f1)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] && [ -f "$TEST_VENDOR/axe-core/axe.min.js" ]; then
  exit 0
fi
if [ "${1:-}" = "--check" ]; then exit 1; fi  # only asks whether they are there
command -v npm >/dev/null || { echo "npm is needed to fetch the map assets (apt-get install npm)" >&2; exit 1; }

printf '\033[1m==> %s\033[0m\n' "fetching the map assets (Leaflet, markercluster, VectorGrid; axe-core) from the npm registry"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${PACKAGES[@]}"; do
  spec=${entry%% *}
  digest=${entry#* }
  name=${spec%@*}
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  tarball="$work/$(echo "$name" | tr -d '@' | tr '/' '-')-${spec##*@}.tgz"
  actual=$(python3 -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")
  if [ "$actual" != "$digest" ]; then
    echo "$spec: digest $actual does not match the pinned $digest" >&2
    exit 1
  fi
  mkdir -p "$work/$name"
  tar -xzf "$tarball" -C "$work/$name" --strip-components=1
done

fresh="$work/vendor"
mkdir -p "$fresh/leaflet/images" "$fresh/leaflet.markercluster"
cp "$work/leaflet/dist/leaflet.js" "$work/leaflet/dist/leaflet.js.map" \
  "$work/leaflet/dist/leaflet.css" "$work/leaflet/LICENSE" "$fresh/leaflet/"
cp "$work/leaflet/dist/images/"*.png "$fresh/leaflet/images/"
cp "$work/leaflet.markercluster/dist/leaflet.markercluster.js" \
  "$work/leaflet.markercluster/dist/leaflet.markercluster.js.map" \
  "$work/leaflet.markercluster/dist/MarkerCluster.css" \
  "$work/leaflet.markercluster/dist/MarkerCluster.Default.css" \
  "$work/leaflet.markercluster/MIT-LICENCE.txt" "$fresh/leaflet.markercluster/"
# VectorGrid draws the base map's vector tiles (its bundle carries its protobuf decoder).
mkdir -p "$fresh/leaflet.vectorgrid"
cp "$work/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js" \
  "$work/leaflet.vectorgrid/package.json" "$fresh/leaflet.vectorgrid/"  # licence: Beerware (package.json)
echo "$wanted" >"$fresh/.versions"
mkdir -p "$TEST_VENDOR/axe-core"
cp "$work/axe-core/axe.min.js" "$work/axe-core/LICENSE" "$TEST_VENDOR/axe-core/"

# Swap in the new copy, keeping the folder's own .gitignore.
find "$VENDOR" -mindepth 1 -maxdepth 1 ! -name .gitignore -exec rm -rf {} +
cp -R "$fresh/." "$VENDOR/"
