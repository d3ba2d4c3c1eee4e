#!/usr/bin/env bash
# Dev-only: run each system test kernel under QEMU and under bmjit and diff the serial transcripts and exit statuses
# (see README.md in this folder for the expected, SDM-justified differences). Needs qemu-system-x86_64; no test uses it.
# Usage: tests/system/qemu-compare.sh   (after `npm run build:ts` and one `npx vitest run tests/system`)
set -uo pipefail
cd "$(dirname "$0")/../.."
for k in build/tests/paging.bin build/tests/modes.elf build/tests/timer.bin build/tests/echo.bin build/tests/reboot.bin build/tests/triple.elf; do
  input=""
  [[ $k == *echo* ]] && input="hello q"
  q=$(printf '%s' "$input" | timeout 20 qemu-system-x86_64 -kernel "$k" -serial stdio -display none -m 256M \
      -device isa-debug-exit,iobase=0xf4,iosize=4 $([[ $k == *triple* ]] && echo -no-reboot) 2>/dev/null)
  qs=$?
  b=$(printf '%s' "$input" | node dist/machine/cli/main.js boot --kernel "$k" 2>/dev/null)
  bs=$?
  echo "== $k: qemu status $qs, bmjit status $bs"
  diff <(printf '%s\n' "$q") <(printf '%s\n' "$b") && echo "   identical transcripts"
done
