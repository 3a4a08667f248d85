#!/usr/bin/env bash
# Installs everything algoconf, its tests and its scenarios need on a fresh Debian/Ubuntu machine:
# the SAT/ASP solver binaries from the system's packages (minisat, cadical, clasp), chromium (the
# report test screenshots the HTML report headless; optional, the test skips without it), irace's R
# package (optional: tests run irace's own reader on the files algoconf writes) and the
# Python package with all extras (CP-SAT, python-sat, clingo, SMAC3, Optuna, Dask, gymnasium, ...)
# into the active python3. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")"

command -v python3 >/dev/null 2>&1 || { echo "install.sh: python3 (>= 3.10) not found" >&2; exit 1; }
# pip refuses to install into an OS-managed Python (PEP 668, e.g. /usr/bin/python3 of Debian 12 and
# Ubuntu 23.04+): say so before touching the system rather than fail after the apt step.
if python3 -c 'import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
sys.exit(0 if managed and sys.prefix == sys.base_prefix else 1)'; then
  echo "install.sh: $(command -v python3) is managed by the OS (PEP 668); pip will not install into it." >&2
  echo "  Create and activate a virtual environment, then run ./install.sh again:" >&2
  echo "    python3 -m venv ~/.venvs/algoconf && . ~/.venvs/algoconf/bin/activate" >&2
  echo "  (Debian/Ubuntu: apt-get install python3-venv if the first command fails)" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
missing=()
for bin in minisat cadical clasp; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
updated=no
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install.sh: installing system solvers: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  updated=yes
  # env, not a prefix assignment: sudo drops the caller's environment
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "install.sh: installing chromium (optional: only the report screenshot test uses it)" >&2
  { [ "$updated" = yes ] || $SUDO apt-get update -qq; } &&
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
    echo "install.sh: chromium not installed (no 'chromium' apt package here, e.g. Ubuntu ships a snap);" \
      "tests/test_analysis/test_report.py's screenshot test will skip" >&2
fi
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'library(irace)' >/dev/null 2>&1; then
  echo "install.sh: installing r-cran-irace (optional: tests check that irace reads the parameter files algoconf writes)" >&2
  { [ "$updated" = yes ] || $SUDO apt-get update -qq; } &&
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-irace >/dev/null ||
    echo "install.sh: r-cran-irace not installed; the irace reading tests in tests/test_space will skip" >&2
fi

python3 -m pip install -q --disable-pip-version-check -e ".[all]"
