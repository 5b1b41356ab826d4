#!/usr/bin/env bash
# Sets bpfls up on a fresh Debian 12 machine and checks an example program.
# Installs clang-19, llvm-19, libbpf-dev, linux-libc-dev and bpftool (with sudo when not root),
# installs the npm dependencies, builds, and runs `bpfls check` on examples/null_check_missing.bpf.c.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
missing=0
for bin in clang-19 llvm-objdump-19 bpftool; do command -v "$bin" >/dev/null || missing=1; done
[ -f /usr/include/bpf/bpf_helpers.h ] || missing=1
if [ "$missing" = 1 ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q clang-19 llvm-19 libbpf-dev linux-libc-dev bpftool libelf-dev zlib1g-dev
fi
npm ci --no-audit --no-fund
npm run build
echo
echo "$ bpfls check examples/null_check_missing.bpf.c"
./bin/bpfls check examples/null_check_missing.bpf.c || true
