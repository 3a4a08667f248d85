"""The reference tools read a file as their users would: ConfigSpace's PCS/JSON readers, and irace
3.5's ``readParameters`` (through ``Rscript``). Shared by the corpus and conversion tests."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

_R_DUMP = r"""
args <- commandArgs(trailingOnly = TRUE)
for (i in seq(1, length(args), by = 3)) {
  cat("### ", (i + 2) / 3, "\n", sep = "")
  tryCatch({
    p <- irace::readParameters(args[i], digits = as.integer(args[i + 1]))
    if (file.size(args[i + 2]) > 0) invisible(irace:::readForbiddenFile(args[i + 2]))
    for (n in p$names) {
      d <- p$domain[[n]]
      shown <- if (is.numeric(d)) format(d, digits = 15) else d
      cat(n, p$types[[n]], p$switches[[n]], paste(shown, collapse = "\x1f"), sep = "\t")
      cat("\n")
    }
  }, error = function(e) cat("!!! ", gsub("\n", " ", conditionMessage(e)), "\n", sep = ""))
}
"""


def configspace_reads(text: str, fmt: str):
    """ConfigSpace's own reader of ``fmt`` on ``text`` (raises what ConfigSpace raises)."""
    import warnings

    from ConfigSpace.read_and_write import json as cs_json
    from ConfigSpace.read_and_write import pcs as cs_pcs
    from ConfigSpace.read_and_write import pcs_new as cs_pcs_new

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pcs modules are "deprecated but kept"
        if fmt == "json":
            return cs_json.read(text)
        return {"pcs": cs_pcs, "pcs_new": cs_pcs_new}[fmt].read(text.splitlines())


def need_irace() -> None:
    """Skip (with the reason) when irace's R package is not installed."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed (apt-get install r-cran-irace; install.sh does it when it can)")
    done = subprocess.run(["Rscript", "-e", "library(irace)"], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.skip("the R package irace is not installed (apt-get install r-cran-irace)")


def irace_split(text: str) -> tuple[str, int, str]:
    """(parameter lines, digits, forbidden lines) of an irace 4 parameter file, as irace 3 takes
    them: digits from the scenario (default 4), forbidden lines from a ``forbiddenFile``."""
    params, forbidden, section, digits = [], [], "parameters", 4
    for line in text.splitlines():
        header = re.fullmatch(r"\s*\[\s*(\w+)\s*\]\s*", line)
        if header:
            section = header.group(1).lower()
            continue
        if section == "global":
            m = re.fullmatch(r"\s*digits\s*=\s*(\d+)\s*(#.*)?", line)
            if m:
                digits = int(m.group(1))
        elif section == "forbidden":
            forbidden.append(line)
        else:
            params.append(line)
    return "\n".join(params) + "\n", digits, "\n".join(forbidden) + ("\n" if forbidden else "")


def irace_reads_all(texts: list[str]) -> list[dict[str, tuple[str, str, list[str]]] | str]:
    """What irace 3.5 reads from each irace parameter file (one R process for all): name ->
    (type, switch, domain as text), or irace's error message when it refuses the file."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp, "dump.R")
        script.write_text(_R_DUMP)
        argv = ["Rscript", str(script)]
        for i, text in enumerate(texts):
            params, digits, forbidden = irace_split(text)
            pfile, ffile = Path(tmp, f"parameters{i}.txt"), Path(tmp, f"forbidden{i}.txt")
            pfile.write_text(params)
            ffile.write_text(forbidden)
            argv += [str(pfile), str(digits), str(ffile)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise AssertionError(f"Rscript failed: {done.stderr.strip()[-500:]}")
    results: list[dict[str, tuple[str, str, list[str]]] | str] = []
    for line in done.stdout.splitlines():
        if line.startswith("### "):
            results.append({})
        elif line.startswith("!!! "):
            results[-1] = line[4:]
        elif isinstance(results[-1], dict):
            name, kind, switch, domain = line.split("\t")
            results[-1][name] = (kind, switch, domain.split("\x1f"))
    assert len(results) == len(texts), done.stdout[-500:]
    return results


def irace_reads(text: str) -> dict[str, tuple[str, str, list[str]]]:
    """:func:`irace_reads_all` of one file; AssertionError with irace's message when it refuses it."""
    (result,) = irace_reads_all([text])
    if isinstance(result, str):
        raise AssertionError(f"irace refused the file: {result}")
    return result
