#!/usr/bin/env bash
# Install what Ditto's build, run and tests need on Debian 12. Idempotent and
# quiet when everything is present; needs root (or sudo) the first time.
set -euo pipefail
pkgs=(bochs bochsbios vgabios bochs-term grub-pc-bin grub-common xorriso mtools
      qemu-system-x86 dpkg-dev zstd cpio clang libclang-rt-14-dev binutils python3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
