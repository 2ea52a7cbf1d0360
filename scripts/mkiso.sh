#!/usr/bin/env bash
# Build a GRUB (BIOS, multiboot2) ISO that boots Ditto.
#   mkiso.sh OUT.iso ditto.elf "KERNEL CMDLINE" [FILE:TAG ...]
# Each FILE becomes /boot/<basename> and a `module2 /boot/<basename> TAG` line.
#   mkiso.sh --bare-linux OUT.iso BZIMAGE INITRD "CMDLINE"
# A plain GRUB `linux` entry without Ditto (the benchmark's baseline).
set -euo pipefail
if [ "$1" = --bare-linux ]; then
  out=$2 bz=$3 rd=$4 cl=$5
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/boot/grub"
  cp "$bz" "$tmp/boot/bzImage"
  cp "$rd" "$tmp/boot/initrd.img"
  printf 'set timeout=0\nset default=0\nmenuentry "Linux" {\n  linux /boot/bzImage %s\n  initrd /boot/initrd.img\n  boot\n}\n' "$cl" > "$tmp/boot/grub/grub.cfg"
  grub-mkrescue -o "$out" "$tmp" --install-modules="linux normal configfile iso9660 biosdisk part_msdos" \
    --fonts= --locales= --themes= --compress=xz >"$tmp.log" 2>&1 || { cat "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
  rm -f "$tmp.log"
  exit 0
fi
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
