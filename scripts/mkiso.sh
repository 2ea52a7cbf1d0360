#!/usr/bin/env bash
# Build a GRUB (BIOS, multiboot2) ISO that boots Ditto.
#   mkiso.sh OUT.iso ditto.elf "KERNEL CMDLINE" [FILE:TAG ...]
# Each FILE becomes /boot/<basename> and a `module2 /boot/<basename> TAG` line.
set -euo pipefail
out=$1 elf=$2 cmdline=$3; shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/boot/grub"
cp "$elf" "$tmp/boot/ditto.elf"
{
  echo 'set timeout=0'
  echo 'set default=0'
  echo 'menuentry "Ditto" {'
  echo "  multiboot2 /boot/ditto.elf $cmdline"
  for m in "$@"; do
    file=${m%%:*} tag=${m#*:}
    [ -f "$file" ] || { echo "mkiso: module $file missing" >&2; exit 1; }
    cp "$file" "$tmp/boot/$(basename "$file")"
    echo "  module2 /boot/$(basename "$file") $tag"
  done
  echo '  boot'
  echo '}'
} > "$tmp/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
# Only the modules the menu needs: a smaller ISO boots faster in Bochs.
grub-mkrescue -o "$out" "$tmp" \
  --install-modules="multiboot2 normal configfile iso9660 biosdisk part_msdos" \
  --fonts= --locales= --themes= --compress=xz >"$tmp.log" 2>&1 || {
  cat "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
rm -f "$tmp.log"
