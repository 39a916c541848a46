#!/bin/sh
# System libraries WeasyPrint needs (Pango) and the one that makes PDFs fast
# (libharfbuzz-subset0: ~0.9 s instead of ~1.7 s for a 4-page report), plus a font.
# Installed with apt-get when we are root on Debian/Ubuntu; otherwise named clearly.
# `system-deps.sh test` also installs what the test suite drives: Debian's chromium
# (HTML reports and the web app are tested in a real headless browser).
set -u
missing=""
if [ "${1:-}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
fi
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libpango-1.0.so.0'        || missing="$missing libpango-1.0-0"
have_lib 'libpangoft2-1.0.so.0'     || missing="$missing libpangoft2-1.0-0"
have_lib 'libharfbuzz-subset.so.0'  || missing="$missing libharfbuzz-subset0"
if command -v fc-list >/dev/null 2>&1; then
  fc-list 2>/dev/null | grep -qi 'dejavu\|noto\|liberation' || missing="$missing fonts-dejavu-core"
else
  missing="$missing fontconfig fonts-dejavu-core"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing$missing with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 \
     || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends $missing >/dev/null; }; then
    exit 0
  fi
  echo "system-deps: apt-get could not install$missing" >&2
fi
case "$missing" in
  *chromium*)
    echo "system-deps: the browser tests need Debian's chromium — install it with: sudo apt-get install chromium" >&2 ;;
  *pango*|*fonts*)
    echo "system-deps: PDF reports need:$missing — install them with: sudo apt-get install$missing" >&2 ;;
  *)
    echo "system-deps: libharfbuzz-subset0 is missing: PDFs will be about 2x slower. Install it with: sudo apt-get install libharfbuzz-subset0" >&2 ;;
esac
exit 0
