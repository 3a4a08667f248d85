"""Scenario files as SMAC 2, SMAC 3 and irace users have them: their key spellings, ``inf`` limits,
optional instances, paths relative to the current directory, and irace's own scenario format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from algoconf.cli.main import main
from algoconf.errors import ScenarioError
from algoconf.instances import InstanceSet
from algoconf.scenario import Budget, load_scenario

DATA = Path(__file__).resolve().parents[1] / "data" / "scenario" / "basic"
SPACE = Path(__file__).resolve().parents[1] / "data" / "pcs" / "minisat.pcs"


@pytest.fixture
def basic(tmp_path) -> Path:
    folder = tmp_path / "basic"
    shutil.copytree(DATA, folder)
    return folder


# ---- SMAC 2 / SMAC 3 spellings -------------------------------------------------------------------
def test_smac2_spellings(basic):
    (basic / "smac2.txt").write_text(
        "algo-exec = python3 solver.py\n"
        "pcs-file = params.pcs\n"
        "runObj = RUNTIME\n"
        "overallObj = MEAN10\n"
        "cutoffTime = 5\n"
        "cputime_limit = 300\n"
        "numberOfRunsLimit = 40\n"
        "wallClockLimit = 600\n"
        "use-instances = true\n"
        "instance_file = train.txt\n"
    )
    s = load_scenario(basic / "smac2.txt")
    assert (s.objective, s.cutoff, s.par_factor) == ("runtime", 5.0, 10.0)
    assert s.budget == Budget(runs=40, wallclock=600.0, cpu_time=300.0)
    assert len(s.train) == 3 and s.space_file == basic / "params.pcs"


def test_target_run_cputime_limit_is_the_cutoff(basic):
    text = (basic / "scenario.txt").read_text().replace("cutoff_time = 5", "target_run_cputime_limit = 7")
    (basic / "scenario.txt").write_text(text)
    assert load_scenario(basic / "scenario.txt").cutoff == 7.0


def test_smac3_spellings_and_inf(basic):
    (basic / "smac3.txt").write_text(
        "ta = python3 solver.py\n"
        "pcs_fn = params.pcs\n"
        "run_obj = runtime\n"
        "cutoff = 5\n"
        "par_factor = 3\n"
        "ta_run_limit = 20.0\n"
        "wallclock_limit = inf\n"
        "algo_runs_timelimit = inf\n"
        "train_inst_fn = train.txt\n"
        "test_inst_fn = test.txt\n"
        "feature_fn = features.csv\n"
        "multi_objectives = cost\n"
        "save_results_instantly = True\n"
    )
    s = load_scenario(basic / "smac3.txt")
    assert s.par_factor == 3.0 and s.budget == Budget(runs=20)
    assert len(s.train) == 3 and s.test is not None and s.features is not None


def test_runcount_limit_inf_is_no_limit(basic):
    text = (basic / "scenario.txt").read_text().replace("runcount_limit = 40", "runcount_limit = inf")
    (basic / "scenario.txt").write_text(text)
    assert load_scenario(basic / "scenario.txt").budget == Budget(wallclock=600.0)


def test_par_factor_contradicting_overall_obj_is_an_error(basic):
    (basic / "scenario.txt").write_text((basic / "scenario.txt").read_text() + "par_factor = 3\n")
    with pytest.raises(ScenarioError, match=r"scenario.txt:16: par_factor 3 contradicts overall_obj PAR10 \(line 6\)"):
        load_scenario(basic / "scenario.txt")


def test_instances_are_optional_as_in_smac3(basic):
    (basic / "q.txt").write_text("algo = python3 solver.py\nparamfile = params.pcs\nrun_obj = quality\nruncount_limit = 10\n")
    s = load_scenario(basic / "q.txt")
    assert s.train == InstanceSet.from_names(["0"]) and s.objective == "quality"


# ---- paths relative to where the tool is started (AClib / SMAC) ---------------------------------
def test_paths_relative_to_the_current_directory_then_beside_the_file(tmp_path, monkeypatch):
    root = tmp_path / "smac"
    (root / "examples" / "branin").mkdir(parents=True)
    shutil.copy(SPACE, root / "examples" / "branin" / "space.pcs")
    (root / "examples" / "branin" / "scenario.txt").write_text(
        "algo = python3 examples/branin/run.py\nparamfile = examples/branin/space.pcs\nrun_obj = quality\n"
    )
    monkeypatch.chdir(root)
    s = load_scenario(Path("examples/branin/scenario.txt"))
    assert s.space_file == root / "examples" / "branin" / "space.pcs"
    assert s.target.cwd == root and s.root == root  # the target runs where SMAC would run it
    assert s.name == "branin"
    # from elsewhere, the error says where it looked
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(root / "examples" / "branin" / "scenario.txt")
    assert info.value.message == (
        f"paramfile 'examples/branin/space.pcs' not found (looked at {tmp_path}/examples/branin/space.pcs or "
        f"{root}/examples/branin/examples/branin/space.pcs)"
    )


def test_a_relative_scenario_txt_is_named_after_its_folder(basic, monkeypatch, capsys):
    monkeypatch.chdir(basic)
    assert load_scenario(Path("scenario.txt")).name == "basic"
    assert main(["scenario", "check", "scenario.txt", "--json"]) == 0
    assert '"name": "basic"' in capsys.readouterr().out


# ---- irace scenario.txt --------------------------------------------------------------------------
def _irace_tree(tmp_path: Path) -> Path:
    folder = tmp_path / "acotsp"
    (folder / "Instances").mkdir(parents=True)
    for name in ("a.tsp", "b.tsp", "c.tsp"):
        (folder / "Instances" / name).write_text("x\n")
    (folder / "arena").mkdir()
    (folder / "parameters.txt").write_text(
        'algorithm "--" c (as, mmas, eas)\n'
        'alpha "--alpha " r (0.00, 5.00)\n'
        'ants "--ants " i,log (5, 100)\n'
        'q0 "--q0 " r (0.0, 1.0) | algorithm == "acs"\n'.replace(' | algorithm == "acs"', "")
    )
    (folder / "forbidden.txt").write_text('alpha > 4 & algorithm == "as"\n')
    runner = folder / "target-runner"
    runner.write_text("#!/bin/sh\necho 1.0\n")
    runner.chmod(0o755)
    return folder


def test_an_irace_scenario_loads(tmp_path):
    folder = _irace_tree(tmp_path)
    (folder / "scenario.txt").write_text(
        '## irace scenario\nparameterFile = "./parameters.txt"\nexecDir = "./arena"\n'
        'trainInstancesDir = "./Instances"\nmaxExperiments = 500\nmaxTime = 0\ndigits = 2\n'
        'forbiddenFile = "forbidden.txt"\nseed <- 687542627L\nfirstTest = 5\n.myVariable = 3\n'
    )
    with pytest.warns(UserWarning, match="firstTest"):
        s = load_scenario(folder / "scenario.txt")
    assert s.name == "acotsp" and s.objective == "quality" and s.budget == Budget(runs=500)
    assert s.train.names == ("a.tsp", "b.tsp", "c.tsp") and s.train["a.tsp"].path == folder / "Instances" / "a.tsp"
    assert s.target.syntax == "irace" and s.target.output == "irace" and s.target.cwd == folder / "arena"
    assert s.target.command == f"{folder / 'target-runner'} 1 1 {{seed}} {{instance}} {{config}}"
    assert s.space.meta == {"irace_digits": 2} and len(s.space.forbidden_clauses) == 1
    assert s.seed == 687542627


def test_irace_instances_file_lines_are_prefixed_with_the_folder(tmp_path):
    folder = _irace_tree(tmp_path)
    (folder / "train.txt").write_text("b.tsp\nc.tsp --extra 1\n")
    (folder / "scenario.txt").write_text('trainInstancesFile = "train.txt"\nmaxTime = 3600\n')
    s = load_scenario(folder / "scenario.txt")
    assert s.train.names == ("b.tsp", "c.tsp") and s.train["c.tsp"].specifics == ("--extra", "1")
    assert s.budget == Budget(cpu_time=3600.0)
    (folder / "scenario.txt").write_text('trainInstancesDir = ""\ntrainInstancesFile = "train.txt"\nmaxTime = 3600\n')
    s = load_scenario(folder / "scenario.txt")  # names that are not files reach the target as written
    assert s.train.names == ("b.tsp", "c.tsp") and s.train["b.tsp"].path is None


@pytest.mark.parametrize(
    "text, line, message",
    [
        ('parametersFile = "parameters.txt"\nmaxExperiments = 10\n', 1,
         "unknown irace option 'parametersFile' (irace's names are case-sensitive: parameterFile, trainInstancesDir, "
         "targetRunner, maxExperiments, ...)"),
        ("maxExperiments = 10\nif (TRUE) x <- 1\n", 2,
         "expected 'name = value', got 'if (TRUE) x <- 1' (algoconf reads an irace scenario's assignments of "
         "literal values, not other R code)"),
        ("maxExperiments = 10\ntrainInstancesDir = paste0('a', 'b')\n", 2,
         "trainInstancesDir: expected a string, number or TRUE/FALSE, got \"paste0('a', 'b')\" (R expressions are not read)"),
        ('maxExperiments = 0\n', 1, "irace needs a budget: maxExperiments or maxTime must be positive"),
        ('maxExperiments = 10\ntargetEvaluator = "./target-evaluator"\n', 2,
         "irace's targetEvaluator (costs computed after all runs of an iteration) is not supported by algoconf"),
        ('maxExperiments = 10\nmaxExperiments = 20\n', 2, "option 'maxExperiments' set twice (first on line 1)"),
        ('parameterFile = ""\nmaxExperiments = 10\n', 1, "parameterFile must name the parameter file"),
    ],
)
def test_bad_irace_scenarios(tmp_path, text, line, message):
    folder = _irace_tree(tmp_path)
    (folder / "scenario.txt").write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder / "scenario.txt")
    assert (info.value.line, info.value.message) == (line, message)


def test_irace_defaults_are_irace_s_and_missing_ones_are_named(tmp_path):
    folder = _irace_tree(tmp_path)
    (folder / "target-runner").unlink()
    (folder / "scenario.txt").write_text("maxExperiments = 10\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder / "scenario.txt")
    assert info.value.message == (
        f"targetRunner './target-runner' (irace's default) not found (looked at {folder / 'target-runner'}; "
        "irace paths are relative to the scenario's folder)"
    )


def test_an_irace_scenario_converts_to_yaml_with_its_forbidden_file(tmp_path):
    folder = _irace_tree(tmp_path)
    (folder / "scenario.txt").write_text('maxExperiments = 50\nforbiddenFile = "forbidden.txt"\ndigits = 3\n')
    assert main(["scenario", "convert", str(folder / "scenario.txt"), str(tmp_path / "out.yaml")]) == 0
    again = load_scenario(tmp_path / "out.yaml")
    original = load_scenario(folder / "scenario.txt")
    assert again.fingerprint()["space"] == original.fingerprint()["space"]
    assert [i.path for i in again.train] == [i.path for i in original.train]
    assert len(again.space.forbidden_clauses) == 1 and again.space.meta == {"irace_digits": 3}
