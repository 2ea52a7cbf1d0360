#!/usr/bin/env bash
# Fetch the pinned third-party sources (Debian source packages) into a
# gitignored cache, verify their hashes, unpack them with Debian's patches.
# Idempotent: a complete cache is left alone. Nothing here is ever committed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$(realpath -m "${DITTO_CACHE:-$top/cache}")/deps
mkdir -p "$cache/dl"
stamp=$cache/.complete-v1
[ -f "$stamp" ] && exit 0

# package  version  sha256-of-.dsc  (from ../shared/notes/deps.md)
pkgs=(
  "zydis 4.0.0-1 8e7b771381f70bb00d915bba8af9a4bdd716576c3ff09a1dc8b57e77beba67f7"
  "xxhash 0.8.1-1 4a961627c06efc8fa3bc4b06ee9dba6cfaf092f2550b88d63e9218a2728721b4"
  "lz4 1.9.4-1 e16302bca544d08d106efc216541f4a0403c8f8a5fad5eaac7588223a55af263"
  "xdelta3 3.0.11-dfsg-1.2 5aae397299ef57052c4b305c2123468b65fcf37837a3e543c0048bb3eb99ce8c"
)
zycore_ver=1.4.1-1
zycore_sha=20daa9552e632c9a08443690c6933c34f2f63a8d2eb60125688823a20f7322c3

# Debian's source index is not configured by default: add deb-src for the
# same mirrors the machine already uses.
ensure_deb_src() {
  local f=/etc/apt/sources.list.d/ditto-deb-src.sources
  [ -f "$f" ] && return 0
  [ "$(id -u)" = 0 ] || { echo "deps: need root to add deb-src ($f)" >&2; exit 1; }
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$f"
  else
    grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' > "${f%.sources}.list"
    touch "$f"
  fi
  apt-get update -q >/dev/null
}

check_sha() { # file sha
  local got; got=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$got" = "$2" ] || { echo "deps: hash mismatch for $1: got $got want $2" >&2; exit 1; }
}

cd "$cache/dl"
: >"$cache/fetch.log"
for p in "${pkgs[@]}"; do
  set -- $p
  name=$1 ver=$2 sha=$3
  dsc=${name}_${ver#*:}.dsc
  if [ ! -f "$dsc" ]; then
    ensure_deb_src
    apt-get source -q --download-only "$name=$ver" >>"$cache/fetch.log" 2>&1 || { tail -20 "$cache/fetch.log" >&2; exit 1; }
  fi
  check_sha "$dsc" "$sha"
  rm -rf "$cache/$name"
  # dpkg-source verifies every tarball's hash listed in the .dsc.
  dpkg-source -q -x "$dsc" "$cache/$name" >>"$cache/fetch.log" 2>&1 || { tail -20 "$cache/fetch.log" >&2; exit 1; }
done

deb=libzycore-dev_${zycore_ver}_amd64.deb
[ -f "$deb" ] || apt-get download -q "libzycore-dev=$zycore_ver" >>"$cache/fetch.log" 2>&1 || { tail -20 "$cache/fetch.log" >&2; exit 1; }
check_sha "$deb" "$zycore_sha"
rm -rf "$cache/zycore"; mkdir -p "$cache/zycore"
dpkg -x "$deb" "$cache/zycore"

touch "$stamp"
echo "deps: ready in $cache"
