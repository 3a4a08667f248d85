"""algoconf/api/functions.py: functions sent to the worker children by reference or by value.

Functions a child cannot import by name (typed at an interactive prompt, lambdas, closures,
``functools.partial``) go by value with cloudpickle; their bytes never reach the run directory, and
a function that cannot be pickled is a one-line TargetError before anything runs.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import uuid
from pathlib import Path

import pytest
from ConfigSpace import ConfigurationSpace

import algoconf
from algoconf.api.functions import user_function
from algoconf.errors import TargetError
from algoconf.history import RunHistory

REPO = Path(__file__).resolve().parents[2]
SPACE = ConfigurationSpace({"x": (-5.0, 5.0)})

# typed at a prompt: PARENT is a global of __main__ that travels by value; the assert proves every
# call runs in a worker child, not in the configuring process
INTERACTIVE = textwrap.dedent("""
    import os, sys, algoconf
    from ConfigSpace import ConfigurationSpace
    PARENT = os.getpid()

    def cost(config, instance, seed):
        assert os.getpid() != PARENT, "called in the configuring process"
        return abs(config["x"] - 1) + len(instance)

    result = algoconf.configure(cost, ConfigurationSpace({"x": (-5.0, 5.0)}), instances=["a", "bb"],
                                runs=int(sys.argv[-2]), workers=int(sys.argv[-1]), run_dir="run",
                                resume=True)
    print("done", result.runs, sorted(result.incumbent), result.incumbent_cost is not None)
""")


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
                TMPDIR=str(tmp_path))


def _interactive(tmp_path: Path, how: str, runs: int, workers: int = 2) -> str:
    """Run INTERACTIVE as ``python -c CODE RUNS WORKERS`` or ``python - RUNS WORKERS`` with the code
    on stdin."""
    args = [str(runs), str(workers)]
    argv, stdin = ([sys.executable, "-c", INTERACTIVE, *args], None) if how == "-c" else \
        ([sys.executable, "-", *args], INTERACTIVE)
    done = subprocess.run(argv, input=stdin, cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def _target_label(run_dir: Path) -> str:
    with RunHistory.open(run_dir) as history:
        return json.loads(history.fingerprint["target"])["callable"]


def _costs(run_dir: Path) -> list[tuple[float, str, float]]:
    """(x, instance, cost) of every recorded run."""
    with RunHistory.open(run_dir) as history:
        return [(r.request.config["x"], r.request.instance, r.quality) for r in history]


@pytest.mark.parametrize("how", ["-c", "stdin"])
def test_a_function_typed_at_a_prompt_runs_in_worker_children(tmp_path, how):
    """``python -c`` has no ``__main__.__file__``; stdin's is ``'<stdin>'``: both were refused or
    looked up as a script file before; now the function goes by value."""
    assert _interactive(tmp_path, how, 8) == "done 8 ['x'] True"
    assert _target_label(tmp_path / "run") == "__main__:cost"  # a readable label, not the code
    assert all(cost == abs(x - 1) + len(inst) for x, inst, cost in _costs(tmp_path / "run"))


def test_an_interactive_run_resumes_when_given_the_same_function_again(tmp_path):
    _interactive(tmp_path, "-c", 6, workers=1)
    assert _interactive(tmp_path, "stdin", 10, workers=1) == "done 10 ['x'] True"  # 6 kept, 4 more
    with RunHistory.open(tmp_path / "run") as history:
        assert len(history) == 10


def test_a_notebook_cell_function_is_sent_by_value_not_by_the_launcher_script():
    """In Jupyter ``__main__`` is the kernel launcher (a real file); a cell's function only claims
    ``__module__ == "__main__"``. Importing the launcher in a child would start a kernel."""
    namespace = {"__name__": "__main__"}
    exec(compile("def cell_cost(config):\n    return config['x'] ** 2\n", "/tmp/ipykernel_1/2.py", "exec"),
         namespace)
    function = user_function(namespace["cell_cost"])
    assert function.by_value is not None and function.script is None
    assert function.label == "__main__:cell_cost"


def test_module_functions_stay_by_reference():
    function = user_function(_shifted)
    assert function.by_value is None and function.label.endswith(":_shifted")
    assert function.takes_instance and function.keywords == ()


def test_a_lambda(tmp_path):
    result = algoconf.configure(lambda config: (config["x"] - 2) ** 2, SPACE, runs=8, workers=2,
                                run_dir=tmp_path / "run")
    assert result.runs == 8 and set(result.incumbent) == {"x"}
    assert all(cost == (x - 2) ** 2 for x, _, cost in _costs(tmp_path / "run"))
    assert _target_label(tmp_path / "run").endswith(":test_a_lambda.<locals>.<lambda>")


def _make_cost(offset: float, tag: str):
    def cost(config, instance):
        return (config["x"] - offset) ** 2 + offset + len(tag) + len(instance)
    return cost


def test_a_closure_carries_its_captured_values_to_the_children_but_not_into_the_run_directory(
        tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    offset, tag = 3.25, f"captured-{uuid.uuid4().hex}"
    result = algoconf.configure(_make_cost(offset, tag), SPACE, instances=["a", "bb"], runs=10, workers=2)
    assert result.runs == 10 and result.incumbent_cost is not None
    assert result.run_dir.name.startswith("algoconf-_make_cost.cost-")  # no '<locals>' in the folder name
    costs = _costs(result.run_dir)
    assert len(costs) == 10
    for x, inst, cost in costs:  # the captured offset and tag arrived in the child
        assert cost == pytest.approx((x - offset) ** 2 + offset + len(tag) + len(inst))
    assert _target_label(result.run_dir).endswith(":_make_cost.<locals>.cost")
    for path in result.run_dir.rglob("*"):  # the pickled closure (which holds the tag) is not stored
        if path.is_file():
            assert tag.encode() not in path.read_bytes(), path


def _shifted(config, instance, shift):
    return abs(config["x"]) + shift + len(instance)


def test_a_functools_partial(tmp_path):
    """``shift`` is bound by the partial: the function is called with (config, instance) only."""
    result = algoconf.configure(functools.partial(_shifted, shift=1.5), SPACE, instances=["abc"], runs=6,
                                workers=2, run_dir=tmp_path / "run")
    assert result.runs == 6
    assert all(cost == abs(x) + 1.5 + 3 for x, _, cost in _costs(tmp_path / "run"))
    assert _target_label(tmp_path / "run").endswith(":partial(_shifted)")


@pytest.mark.parametrize("resource", ["lock", "socket"])
def test_a_function_that_cannot_be_pickled_is_one_line_before_any_run(tmp_path, resource):
    held = threading.Lock() if resource == "lock" else socket.socket()
    try:
        def holds(config):
            return 1.0 if held else 0.0

        with pytest.raises(TargetError) as err:
            algoconf.configure(holds, SPACE, runs=5, run_dir=tmp_path / "run")
    finally:
        if resource == "socket":
            held.close()
    message = str(err.value)
    assert "\n" not in message
    assert "holds" in message and ("lock" if resource == "lock" else "socket") in message
    assert not (tmp_path / "run").exists()
