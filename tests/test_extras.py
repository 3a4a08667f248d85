"""Optional dependencies: the core is light, a missing extra is one line naming ``algoconf[EXTRA]``.

Absence is simulated in a child process whose import system refuses the blocked top-level modules
(as if they were not installed), so the installed extras of the test machine do not matter.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from algoconf.errors import MissingExtraError
from algoconf.extras import EXTRA_OF, install_hint, require

REPO = Path(__file__).resolve().parents[1]
EVERY_OPTIONAL = sorted(EXTRA_OF)

# A child that blocks some modules, then runs the CLI: argv = [blocked (comma-separated), *cli args]
_BLOCKED_CLI = textwrap.dedent("""
    import importlib.abc, sys

    class Blocker(importlib.abc.MetaPathFinder):
        def __init__(self, names):
            self.names = set(names)

        def find_spec(self, fullname, path=None, target=None):
            if fullname.split(".")[0] in self.names:
                raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
            return None

    sys.meta_path.insert(0, Blocker(sys.argv[1].split(",")))
    from algoconf.cli.main import main
    sys.exit(main(sys.argv[2:]))
""")


def run_without(blocked: list[str], *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _BLOCKED_CLI, ",".join(blocked), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _setup_cfg() -> configparser.ConfigParser:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    return cfg


def _requirements(text: str) -> set[str]:
    return {line.split(">")[0].split("[")[0].split("=")[0].strip().lower()
            for line in text.strip().splitlines() if line.strip()}


def test_require_names_the_extra_in_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "ortools", None)  # "import ortools" now fails as if absent
    with pytest.raises(MissingExtraError) as info:
        require("ortools", "the cpsat-jobshop runner")
    message = str(info.value)
    assert message == 'the cpsat-jobshop runner needs ortools, which is not installed: pip install "algoconf[cpsat]"'
    assert isinstance(info.value, ImportError)


def test_require_returns_the_module_when_installed():
    import numpy  # noqa: F401  (core; stands in for an installed optional module below)

    assert require("matplotlib.figure", "plotting").Figure is not None


def test_every_optional_module_has_its_extra_in_setup_cfg():
    extras = _setup_cfg()["options.extras_require"]
    for module, extra in EXTRA_OF.items():
        assert extra in extras, (module, extra)
    everything = _requirements(extras["all"])
    for name in extras:
        if name != "all":
            assert _requirements(extras[name]) <= everything, f"[all] misses part of [{name}]"
    assert install_hint("sksurv.ensemble") == 'pip install "algoconf[selection]"'


def test_core_requirements_are_light():
    core = _requirements(_setup_cfg()["options"]["install_requires"])
    # joblib and threadpoolctl are scikit-learn's own requirements (parallel folds, one BLAS thread per
    # fit); naming them adds nothing to an install that has scikit-learn. cloudpickle (pure Python)
    # sends a lambda, closure or interactive function to the worker children (algoconf/api/functions.py).
    assert core == {"numpy", "scipy", "pandas", "scikit-learn", "configspace", "pyyaml", "rich", "skops",
                    "joblib", "threadpoolctl", "cloudpickle"}


@pytest.mark.parametrize(("blocked", "args", "extra", "code"), [
    (["ortools"], ["scenario", "check", "scenarios/cpsat-jobshop/scenario.yaml"], "cpsat", 2),
    (["smac"], ["configure", "scenarios/minisat-3sat/scenario.yaml", "--tuner", "smac", "--budget", "5",
                "--out", "{tmp}/run"], "smac", 1),
    (["optuna"], ["configure", "scenarios/minisat-3sat/scenario.yaml", "--tuner", "optuna", "--budget", "5",
                  "--out", "{tmp}/run"], "optuna", 1),
    (["gymnasium"], ["dac", "list"], "dac", 1),
])
def test_a_missing_extra_is_one_line_naming_it(tmp_path, blocked, args, extra, code):
    done = run_without(blocked, *[a.format(tmp=tmp_path) for a in args])
    lines = done.stderr.strip().splitlines()
    assert done.returncode == code, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].endswith(f'pip install "algoconf[{extra}]"'), lines[0]
    assert not (tmp_path / "run").exists()  # stopped before a run directory was made


def test_report_without_matplotlib_names_the_plots_extra(tmp_path):
    done = run_without(["matplotlib"], "report", str(tmp_path), "-o", str(tmp_path / "r.html"))
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        'algoconf: MissingExtraError: plotting needs matplotlib, which is not installed: pip install "algoconf[plots]"'
    ]


_TOY_SOLVER = """
import sys, time
args = dict(a.lstrip("-").split("=", 1) for a in sys.argv[1:-1])
t0 = time.process_time()
while time.process_time() - t0 < 0.01 + 0.02 * float(args.get("decay", 0.9)):
    pass
print(f"Result of this algorithm run: SUCCESS, {time.process_time() - t0:.4f}, 0, 0, {args['seed']}")
"""


def test_the_core_configures_and_validates_with_no_extra_installed(tmp_path):
    """A command target tuned and validated end to end with every optional module blocked."""
    import shutil

    folder = tmp_path / "scenario"
    shutil.copytree(REPO / "tests" / "data" / "scenario" / "basic", folder)
    (folder / "solver.py").write_text(_TOY_SOLVER)
    yaml_text = (folder / "scenario.yaml").read_text().replace("python3 solver.py", f"{sys.executable} solver.py")
    (folder / "scenario.yaml").write_text(yaml_text)
    done = run_without(EVERY_OPTIONAL, "configure", str(folder / "scenario.yaml"), "--tuner", "random",
                       "--budget", "8", "--out", str(tmp_path / "run"), "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "run" / "validation.json").is_file()
    assert not (tmp_path / "run" / "validation_scatter.png").exists()
    assert 'pip install "algoconf[plots]"' in done.stderr  # the plot that was not written, and why
