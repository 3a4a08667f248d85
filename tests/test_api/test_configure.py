"""``algoconf.configure``: functions from scripts and modules, commands, spaces, instances, resume."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from ConfigSpace import ConfigurationSpace

import algoconf
from algoconf.errors import InputError, TargetError

REPO = Path(__file__).resolve().parents[2]
SPACE = ConfigurationSpace({"x": (-5.0, 5.0)})


def _script_env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
                TMPDIR=str(tmp_path))


def test_a_function_of_the_calling_script_runs_without_a_main_guard(tmp_path):
    """The children import the script by path; its configure call stops that import, so code around
    it (the prints) runs once, in the parent only."""
    script = tmp_path / "tune.py"
    script.write_text(textwrap.dedent("""
        import algoconf
        from ConfigSpace import ConfigurationSpace
        print("before")

        def cost(config, instance, seed):
            assert isinstance(instance, str) and isinstance(seed, int)
            return abs(config["x"] - 1) + len(instance)

        result = algoconf.configure(cost, ConfigurationSpace({"x": (-5.0, 5.0)}), instances=["a", "bb"],
                                    runs=12, run_dir="run")
        print("after", result.runs, sorted(result.incumbent))
    """))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=_script_env(tmp_path),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == ["before", "after 12 ['x']"]


def test_a_function_of_an_importable_module_gets_names_and_paths(tmp_path, monkeypatch):
    (tmp_path / "mycost.py").write_text(textwrap.dedent("""
        from pathlib import Path

        def cost(config, instance):
            if instance.endswith(".txt"):
                return float(Path(instance).read_text()) + config["x"] ** 2
            return len(instance) + config["x"] ** 2
    """))
    (tmp_path / "five.txt").write_text("5")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    import mycost

    result = algoconf.configure(mycost.cost, SPACE, instances=["abc", "five.txt"], test_instances=["five.txt"],
                                runs=15, run_dir=tmp_path / "run")
    assert result.runs == 15
    assert result.default_test_cost == 5.0  # x = 0, the default
    assert result.incumbent_test_cost >= 5.0
    assert result.run_dir == tmp_path / "run" and (result.run_dir / "validation.json").is_file()


def _square(config):
    return (config["x"] - 2) ** 2


def test_no_instances_a_temporary_run_directory_and_resume_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    first = algoconf.configure(_square, SPACE, runs=10)
    assert first.run_dir.parent == tmp_path and (first.run_dir / "history.sqlite").is_file()
    assert first.incumbent_cost is not None and first.default_test_cost is None

    fixed = tmp_path / "fixed"
    algoconf.configure(_square, SPACE, runs=6, run_dir=fixed)
    with pytest.raises(InputError, match="resume=True"):
        algoconf.configure(_square, SPACE, runs=6, run_dir=fixed)
    resumed = algoconf.configure(_square, SPACE, runs=10, run_dir=fixed, resume=True)
    assert resumed.runs == 10  # counted over both calls: 6 runs kept, 4 more made
    from algoconf.history import RunHistory

    with RunHistory.open(fixed) as history:
        assert len(history) == 10


def test_progress_true_draws_the_bar_on_stderr(tmp_path, capsys):
    result = algoconf.configure(_square, SPACE, runs=6, run_dir=tmp_path / "run", progress=True)
    assert result.runs == 6
    err = capsys.readouterr().err
    assert "tuning" in err and "6/6 runs" in err


def test_a_pcs_file_and_a_command_template(tmp_path, monkeypatch):
    solver = tmp_path / "solver.py"
    solver.write_text(textwrap.dedent("""
        import sys, time
        args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
        t0 = time.process_time()
        while time.process_time() - t0 < 0.005 + 0.01 * float(args["-decay"]):
            pass
        print(f"Result of this algorithm run: SUCCESS, {time.process_time() - t0:.4f}, 0, 0, {args['--seed']}")
    """))
    (tmp_path / "i1").write_text("x")
    monkeypatch.chdir(tmp_path)
    result = algoconf.configure(f"{sys.executable} {solver} --seed {{seed}} --inst {{instance}}",
                                REPO / "tests" / "data" / "scenario" / "basic" / "params.pcs",
                                instances=["i1"], runs=8, cutoff=5, run_dir=tmp_path / "run")
    assert result.runs == 8 and set(result.incumbent) >= {"decay", "restarts"}
    assert result.incumbent_cost is not None and result.incumbent_cost < 5


def test_bad_arguments_are_one_line_errors_before_any_run(tmp_path):
    with pytest.raises(InputError, match="needs a budget"):
        algoconf.configure(_square, SPACE, run_dir=tmp_path / "a")
    with pytest.raises(TargetError, match="configuration as its first argument"):
        algoconf.configure(lambda: 1.0, SPACE, runs=5, run_dir=tmp_path / "b")
    with pytest.raises(InputError, match="a list of names or paths"):
        algoconf.configure(_square, SPACE, instances="abc", runs=5, run_dir=tmp_path / "c")
    assert not any((tmp_path / d).exists() for d in "abc")


def test_the_top_level_package_exports_the_api():
    for name in ("configure", "select", "evaluate_selector", "ConfigureResult"):
        assert name in algoconf.__all__ and getattr(algoconf, name) is not None
