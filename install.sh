#!/usr/bin/env bash
# Installs everything algoconf, its tests and its scenarios need on a fresh Debian/Ubuntu machine:
# the SAT/ASP solver binaries from the system's packages (minisat, cadical, clasp), chromium (the
# report test screenshots the HTML report headless; optional, the test skips without it), irace's R
# package (Debian's r-cran-irace: benchmarks/ac_suite.py runs irace as a contender, and tests run
# irace's own reader on the files algoconf writes; both leave irace out without it) and the Python
# package with all extras (CP-SAT, python-sat, matplotlib, SMAC3, Optuna, Dask, gymnasium, ...).
#
# Where the Python package goes:
#  * an active virtual environment (VIRTUAL_ENV) or conda environment (CONDA_PREFIX) whose python3
#    is first on PATH: into it, and .venv in the checkout becomes a link to it;
#  * otherwise (e.g. the operating system's own python3, which refuses pip installs under PEP 668):
#    into a virtual environment .venv in the checkout, created with `python3 -m venv` on first use
#    (Debian/Ubuntu's python3-venv is installed when that module is missing).
# Either way `.venv/bin/python` and `.venv/bin/algoconf` are the installed ones afterwards, which is
# what the README's commands call. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")"

command -v python3 >/dev/null 2>&1 || { echo "install.sh: python3 (>= 3.10) not found" >&2; exit 1; }
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  { echo "install.sh: $(command -v python3) is older than Python 3.10" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
updated=no
apt_install() {  # apt_install PACKAGE... (quiet; apt-get update once per run)
  if [ "$updated" = no ]; then $SUDO apt-get update -qq; updated=yes; fi
  # env, not a prefix assignment: sudo drops the caller's environment
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

missing=()
for bin in minisat cadical clasp; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install.sh: installing system solvers: ${missing[*]}" >&2
  apt_install "${missing[@]}"
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "install.sh: installing chromium (optional: only the report screenshot test uses it)" >&2
  apt_install chromium ||
    echo "install.sh: chromium not installed (no 'chromium' apt package here, e.g. Ubuntu ships a snap);" \
      "tests/test_analysis/test_report.py's screenshot test will skip" >&2
fi
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'library(irace)' >/dev/null 2>&1; then
  echo "install.sh: installing r-cran-irace (irace, a contender of benchmarks/ac_suite.py; tests check that irace reads the parameter files algoconf writes)" >&2
  apt_install r-cran-irace ||
    echo "install.sh: r-cran-irace not installed; benchmarks/ac_suite.py leaves irace out and the irace tests skip" >&2
fi

# The active environment's prefix, or nothing when python3 is not in a venv / conda environment.
active_env=$(python3 -c 'import os, sys
conda = os.environ.get("CONDA_PREFIX")
if sys.prefix != sys.base_prefix or (conda and os.path.realpath(conda) == os.path.realpath(sys.prefix)):
    print(sys.prefix)')

if [ -n "$active_env" ]; then
  py=python3
  if [ -L .venv ] || [ ! -e .venv ]; then
    ln -sfn "$active_env" .venv
  elif [ "$(cd .venv && pwd -P)" != "$(cd "$active_env" && pwd -P)" ]; then
    echo "install.sh: installing into the active environment $active_env;" \
      "the .venv of an earlier install is left as it is (remove it to make .venv point here)" >&2
  fi
else
  if [ ! -x .venv/bin/python ]; then
    [ -L .venv ] && rm .venv  # a link to an environment that is no longer active
    if ! python3 -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      # Debian/Ubuntu ship venv's pip bootstrap separately (python3.X-venv)
      pyver=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      echo "install.sh: installing python${pyver}-venv (python3 -m venv needs it)" >&2
      apt_install "python${pyver}-venv" || apt_install python3-venv
      python3 -m venv .venv
    fi
    echo "install.sh: created the virtual environment .venv ($(command -v python3))" >&2
  fi
  py=.venv/bin/python
fi

"$py" -m pip install -q --disable-pip-version-check -e ".[all]"
