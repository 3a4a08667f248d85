#!/usr/bin/env bash
# Installs everything algoconf, its tests and its scenarios need on a fresh Debian/Ubuntu machine:
# the SAT/ASP solver binaries from the system's packages (minisat, cadical, clasp), chromium (the
# report test screenshots the HTML report headless) and the Python
# package with all extras (CP-SAT, python-sat, clingo, SMAC3, Optuna, Dask, gymnasium, ...).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
for bin in minisat cadical clasp chromium; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "install.sh: installing system solvers: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e ".[all]"
