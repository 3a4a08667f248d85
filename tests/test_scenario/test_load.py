"""Loading, saving and comparing scenarios (YAML and AClib scenario.txt)."""

from __future__ import annotations

import math
import shutil
import warnings
from pathlib import Path

import pytest

from algoconf.instances import InstanceSet
from algoconf.scenario import Budget, Scenario, TargetSpec, load_scenario
from algoconf.tuners.base import TuningProblem

DATA = Path(__file__).resolve().parents[1] / "data" / "scenario" / "basic"


@pytest.fixture
def basic(tmp_path) -> Path:
    folder = tmp_path / "basic"
    shutil.copytree(DATA, folder)
    return folder


def test_yaml_scenario_loads_every_part():
    s = load_scenario(DATA / "scenario.yaml")
    assert s.name == "basic" and s.root == DATA
    assert s.target == TargetSpec(
        kind="command",
        command="python3 solver.py {config} --cpu-limit={cutoff_int} --seed={seed} {instance}",
        syntax="--name=value",
        output="aclib",
    )
    assert sorted(s.space) == ["decay", "luby_base", "restarts"]
    assert s.space_file == DATA / "params.pcs"
    assert s.train.names == ("instances/i1.cnf", "instances/i2.cnf", "instances/i3.cnf")
    assert s.test.names == ("instances/i4.cnf",)
    assert s.features.names == ("n_vars", "n_clauses")
    assert s.features.costs["instances/i2.cnf"] == pytest.approx(0.31)
    assert (s.objective, s.cutoff, s.par_factor, s.seed, s.memory_limit) == ("runtime", 5.0, 10.0, 3, 1024)
    assert s.budget == Budget(runs=40, wallclock=600.0)
    assert (s.crash_policy, s.max_failure_rate, s.time_kind, s.crash_cost) == ("record", 0.5, "cpu", math.inf)


def test_aclib_scenario_matches_the_yaml_one():
    s = load_scenario(DATA / "scenario.txt")
    y = load_scenario(DATA / "scenario.yaml")
    assert s.target == TargetSpec(
        kind="command", command="python3 solver.py", syntax="aclib-old", output="aclib", cwd=DATA,
        options={"cutoff_length": "max"},
    )
    assert s.name == "basic"
    for attr in ("space", "train", "test", "objective", "cutoff", "par_factor", "budget", "memory_limit"):
        assert getattr(s, attr) == getattr(y, attr), attr
    assert s.features.names == y.features.names and s.features.costs is None
    assert s.time_kind == "cpu" and not s.deterministic


def test_aclib_aliases_objectives_and_execdir(basic):
    (basic / "run").mkdir()
    shutil.move(basic / "params.pcs", basic / "run" / "params.pcs")
    (basic / "s2.txt").write_text(
        "algo = ./wrapper.sh   # trailing comment\n"
        "execdir = run\n"
        "pcs_fn = params.pcs\n"
        "run_obj = quality\n"
        "overall_obj = mean\n"
        "-tuner-timeout = 100\n"
        "instances = train.txt\n"
        "cost_for_crash = 1e6\n"
        "abort_on_first_run_crash = true\n"
        "deterministic = 1\n"
        "shared_model = false\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = load_scenario(basic / "s2.txt")
    assert any("shared_model" in str(w.message) and "s2.txt:11" in str(w.message) for w in caught)
    assert s.target.cwd == basic / "run" and s.target.command == "./wrapper.sh"
    assert s.space_file == basic / "run" / "params.pcs"
    assert (s.objective, s.cutoff, s.par_factor) == ("quality", None, 1.0)
    assert s.budget == Budget(cpu_time=100.0)
    assert (s.crash_cost, s.crash_policy, s.deterministic) == (1e6, "abort", True)


@pytest.mark.parametrize("obj, k", [("PAR10", 10.0), ("par1", 1.0), ("mean1000", 1000.0), ("PAR2.5", 2.5)])
def test_overall_obj_penalty(basic, obj, k):
    text = (basic / "scenario.txt").read_text().replace("PAR10", obj)
    (basic / "scenario.txt").write_text(text)
    assert load_scenario(basic / "scenario.txt").par_factor == k


def test_save_yaml_round_trips_from_another_folder(basic, tmp_path):
    s = load_scenario(basic / "scenario.yaml")
    out = tmp_path / "elsewhere" / "copy.yaml"
    out.parent.mkdir()
    s.save_yaml(out)
    text = out.read_text()
    assert "../basic/params.pcs" in text and "../basic/train.txt" in text
    t = load_scenario(out)
    assert t.fingerprint() == s.fingerprint() and s.diff(t) == []
    assert t.target.cwd == basic  # the command still runs in the original folder
    assert (t.space, t.train, t.test, t.features, t.budget) == (s.space, s.train, s.test, s.features, s.budget)
    a = load_scenario(basic / "scenario.txt")
    a.save_yaml(basic / "from_aclib.yaml")
    assert load_scenario(basic / "from_aclib.yaml") == a


def test_in_memory_scenario_saves_its_space_and_instances(tmp_path):
    s = load_scenario(DATA / "scenario.yaml")
    mem = Scenario(
        name="mem", root=tmp_path, target=TargetSpec(kind="python", callable="mypkg.mod:run"), space=s.space,
        train=InstanceSet.from_names(["a", "b"]), objective="quality", maximize=True, crash_cost=-1.0,
    )
    mem.save_yaml(tmp_path / "mem.yaml")
    back = load_scenario(tmp_path / "mem.yaml")
    assert back == mem and back.train.names == ("a", "b") and back.crash_cost == -1.0


def test_generated_instances_in_yaml(basic):
    (basic / "gen.yaml").write_text(
        "target: {callable: 'mypkg.mod:run'}\n"
        "space: params.pcs\n"
        "train: {generator: 'algoconf.instances.generators:random_ksat', n: 3, seed: 2, kwargs: {variables: 20}}\n"
        "objective: quality\n"
    )
    s = load_scenario(basic / "gen.yaml")
    assert len(s.train) == 3 and all(i.path.is_file() for i in s.train)
    assert str(s.train[0].path).startswith(str(basic / ".algoconf" / "instances"))
    assert load_scenario(basic / "gen.yaml").train == s.train


def test_fingerprint_ignores_budget_but_not_cutoff(basic):
    s = load_scenario(basic / "scenario.yaml")
    text = (basic / "scenario.yaml").read_text()
    (basic / "more.yaml").write_text(text.replace("runs: 40", "runs: 400"))
    (basic / "cut.yaml").write_text(text.replace("cutoff: 5", "cutoff: 6"))
    more, cut = load_scenario(basic / "more.yaml"), load_scenario(basic / "cut.yaml")
    assert more.fingerprint() == s.fingerprint()
    assert s.diff(more) == [
        "budget: '{\"cpu_time\": null, \"runs\": 40, \"wallclock\": 600.0}' -> "
        "'{\"cpu_time\": null, \"runs\": 400, \"wallclock\": 600.0}'"
    ]
    assert cut.fingerprint() != s.fingerprint() and s.diff(cut) == ["cutoff: 5.0 -> 6.0"]


def test_fingerprint_ignores_comments_in_the_space_file(basic):
    s = load_scenario(basic / "scenario.yaml")
    pcs = basic / "params.pcs"
    pcs.write_text("# another comment\n\n" + pcs.read_text())
    assert load_scenario(basic / "scenario.yaml").fingerprint() == s.fingerprint()
    pcs.write_text(pcs.read_text().replace("[0.95]", "[0.9]"))
    diff = s.diff(load_scenario(basic / "scenario.yaml"))
    assert len(diff) == 1 and diff[0].startswith("space differs:") and "0.9" in diff[0]


def test_tuning_problem():
    s = load_scenario(DATA / "scenario.yaml")
    p = s.tuning_problem()
    assert isinstance(p, TuningProblem)
    assert p.instances == s.train.names and p.cutoff == 5.0 and p.max_runs == 40
    assert p.features == {n: (3.0, 2.0) for n in s.train.names}
    assert p.extra["seed"] == 3 and p.space is s.space


def test_scenario_target_builds():
    """Both formats build the command target the file names: its launch puts the configuration,
    the cutoff, seed and instance where the template says, run in the scenario's folder."""
    targets = pytest.importorskip("algoconf.targets")
    from algoconf.instances import Instance
    from algoconf.records import RunRequest

    expected = {  # the YAML file's own template; the AClib file's wrapper call convention
        "scenario.yaml": ["python3", "solver.py", "--decay=0.95", "--luby_base=100", "--restarts=luby",
                          "--cpu-limit=5", "--seed=7", "instances/i1.cnf"],
        "scenario.txt": ["python3", "solver.py", "instances/i1.cnf", "0", "4.2", "2147483647", "7",
                         "-decay", "0.95", "-luby_base", "100", "-restarts", "luby"],
    }
    for name, argv in expected.items():
        s = load_scenario(DATA / name)
        target = targets.build_target(s.target, s.root)
        request = RunRequest(dict(s.space.get_default_configuration()), "instances/i1.cnf", 7, 4.2)
        launch = target.prepare(request, Instance("instances/i1.cnf", path=None))
        assert list(launch.argv) == argv, name
        assert Path(launch.cwd).resolve() == DATA.resolve(), name


def test_scenario_survives_pickling():
    """Executors ship scenarios to worker processes (Dask): equality and fingerprint must survive."""
    import pickle

    s = load_scenario(DATA / "scenario.yaml")
    back = pickle.loads(pickle.dumps(s))
    assert back == s and back.fingerprint() == s.fingerprint() and back.train["instances/i2.cnf"].specifics == ("7",)


def test_aclib_instance_paths_relative_to_the_scenario_folder(basic):
    """AClib lists often write paths relative to the scenario (or execdir), not to the list's folder."""
    (basic / "lists").mkdir()
    (basic / "lists" / "train.txt").write_text("instances/i1.cnf\ninstances/i3.cnf\n")
    text = (basic / "scenario.txt").read_text().replace("instance_file = train.txt", "instance_file = lists/train.txt")
    text = text.replace("feature_file = features.csv\n", "")
    (basic / "scenario.txt").write_text(text)
    s = load_scenario(basic / "scenario.txt")
    assert s.train.names == ("instances/i1.cnf", "instances/i3.cnf")
    assert s.train[1].path == basic / "instances" / "i3.cnf"


def test_default_name_is_the_folder_for_scenario_yaml(basic):
    text = (basic / "scenario.yaml").read_text().replace("name: basic\n", "")
    (basic / "scenario.yaml").write_text(text)
    (basic / "other.yaml").write_text(text)
    assert load_scenario(basic / "scenario.yaml").name == "basic"
    assert load_scenario(basic / "other.yaml").name == "other"
