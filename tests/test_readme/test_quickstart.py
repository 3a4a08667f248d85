"""The README's Python quick start, run verbatim as a script (its function is defined in the script
itself, which has no ``if __name__ == "__main__":`` guard)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def quickstart() -> str:
    text = (REPO / "README.md").read_text()
    found = re.search(r"^## Python quick start\n\n```python\n(.*?)^```", text, flags=re.M | re.S)
    assert found, "README.md has no '## Python quick start' python block"
    return found.group(1)


def test_quickstart_is_at_most_ten_lines():
    lines = [ln for ln in quickstart().splitlines() if ln.strip()]
    assert len(lines) <= 10, lines


def test_quickstart_runs_verbatim_and_finds_the_optimum(tmp_path):
    script = tmp_path / "quickstart.py"
    script.write_text(quickstart())
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
               TMPDIR=str(tmp_path))  # the temporary run directory lands in tmp_path
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout  # the script's print ran once (not again in the worker children)
    incumbent_text, rest = lines[0].split("} ", 1)
    incumbent = ast.literal_eval(incumbent_text + "}")
    default_cost, incumbent_cost, run_dir = rest.split(" ", 2)
    assert float(default_cost) == 7.0  # x=0 (the default), fast, len("ccc")
    assert float(incumbent_cost) < float(default_cost)
    assert incumbent["mode"] in ("fast", "slow") and -5 <= incumbent["x"] <= 5
    assert (Path(run_dir) / "history.sqlite").is_file() and (Path(run_dir) / "validation.json").is_file()
