"""Selection data with nothing to select: one algorithm, or every feature missing -> one-line
input errors (exit code 2) from `select evaluate`, `select fit` and `select online`."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from algoconf.cli import select_online
from algoconf.selection.data.sources import load_performance
from algoconf.errors import SelectionInputError
from algoconf.selection.data.input_checks import check_selectable

MINI = Path(__file__).resolve().parents[1] / "data" / "aslib_mini"


def _one_algorithm(tmp_path: Path) -> Path:
    d = tmp_path / "one-alg"
    shutil.copytree(MINI, d)
    runs = d / "algorithm_runs.arff"
    lines = runs.read_text().splitlines()
    head = lines[: lines.index("@DATA") + 1]
    body = [ln for ln in lines[len(head):] if ln.split(",")[2:3] == ["minisat"]]
    runs.write_text("\n".join(head + body) + "\n")
    desc = d / "description.txt"
    text = desc.read_text()
    text = re.sub(r"algorithms_deterministic: \[.*\]", "algorithms_deterministic: [minisat]", text)
    desc.write_text(text)
    return d


def _no_features(tmp_path: Path) -> Path:
    d = tmp_path / "no-features"
    shutil.copytree(MINI, d)
    values = d / "feature_values.arff"
    lines = values.read_text().splitlines()
    at = lines.index("@DATA") + 1
    rows = [",".join(ln.split(",")[:2] + ["?"] * (len(ln.split(",")) - 2)) for ln in lines[at:] if ln.strip()]
    values.write_text("\n".join(lines[:at] + rows) + "\n")
    return d


def test_check_selectable_refuses_one_algorithm_and_all_nan_features():
    with pytest.raises(SelectionInputError, match="1 algorithm: selection needs at least two"):
        check_selectable(1, np.ones((3, 2)))
    with pytest.raises(SelectionInputError, match="every feature value is missing"):
        check_selectable(2, np.full((3, 2), np.nan))
    check_selectable(2, np.array([[np.nan, 1.0]]))
    check_selectable(2, np.full((3, 2), np.nan), needs_features=False)


@pytest.mark.parametrize("make, message", [(_one_algorithm, "selection needs at least two"),
                                           (_no_features, "every feature value is missing")])
def test_offline_and_online_commands_refuse_it(tmp_path, make, message):
    d = make(tmp_path)
    with pytest.raises(SelectionInputError, match=message):
        load_performance(d)
    parser = argparse.ArgumentParser()
    select_online.register(parser.add_subparsers())
    args = parser.parse_args(["online", str(d), "--shuffles", "1"])
    with pytest.raises(SelectionInputError, match=message):
        args.func(args)


def test_cli_prints_one_line_and_exits_2(tmp_path):
    d = _one_algorithm(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "algoconf", "select", "evaluate", str(d), "--jobs", "1"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "at least two" in proc.stderr
