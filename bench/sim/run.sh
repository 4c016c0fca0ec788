#!/usr/bin/env bash
# Simulator speed: throughput, snapshot restore, cut-sweep cases/s.
# Figures go to bench/RESULTS.md ("Simulator").
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "command: build/host/bench/sim/bench_sim"
echo "date: $(date -u)"
echo "machine: $(nproc) cores, $(uname -m)"
build/host/bench/sim/bench_sim
