#!/usr/bin/env bash
# Prints the highest GLIBC_ and GLIBCXX_ symbol versions an ELF binary needs (objdump -T) and
# exits 1 when one is above MAX_GLIBC / MAX_GLIBCXX (Mendel 5: 2.28 and 3.4.25).
#
# usage: tools/symbol-floor.sh BINARY [MAX_GLIBC] [MAX_GLIBCXX]
set -euo pipefail
binary=${1:?usage: symbol-floor.sh BINARY [MAX_GLIBC] [MAX_GLIBCXX]}
max_glibc=${2:-2.28}
max_glibcxx=${3:-3.4.25}
objdump=objdump
command -v aarch64-linux-gnu-objdump >/dev/null && objdump=aarch64-linux-gnu-objdump
highest() { "$objdump" -T "$binary" | grep -o "$1_[0-9][0-9.]*" | sed "s/^$1_//" | sort -uV | tail -1; }
glibc=$(highest GLIBC)
glibcxx=$(highest GLIBCXX)
above() { [ -n "$1" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" != "$2" ]; }
echo "$binary: highest GLIBC_${glibc:-none} (max $max_glibc), GLIBCXX_${glibcxx:-none} (max $max_glibcxx)"
if above "$glibc" "$max_glibc" || above "$glibcxx" "$max_glibcxx"; then
  echo "$binary: above the floor"
  exit 1
fi
