"""Bad scenario, instance and feature files: each raises a typed error naming the file and line.

Every case starts from a copy of tests/data/scenario/basic, rewrites one file, loads, and checks the
exact message (``{d}`` stands for the copy's folder).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from algoconf.errors import FeatureFileError, InstanceError, ScenarioError, SpaceError
from algoconf.instances import read_feature_file, read_instance_list
from algoconf.scenario import load_scenario

DATA = Path(__file__).resolve().parents[1] / "data" / "scenario" / "basic"
YAML = (DATA / "scenario.yaml").read_text()
ACLIB = (DATA / "scenario.txt").read_text()
TRAIN = ["instances/i1.cnf", "instances/i2.cnf", "instances/i3.cnf"]


def _yaml(old: str, new: str) -> dict[str, str]:
    assert old in YAML, old
    return {"scenario.yaml": YAML.replace(old, new)}


def _aclib(old: str, new: str) -> dict[str, str]:
    assert old in ACLIB, old
    return {"scenario.txt": ACLIB.replace(old, new)}


FEATURE_HEAD = "instance,n_vars,n_clauses\n"
FEATURE_ROWS = "instances/i1.cnf,3,2\ninstances/i2.cnf,3,2\ninstances/i3.cnf,3,2\n"

# (case id, files to write, what to load, error type, exact message)
CASES = [
    # --- instance lists ------------------------------------------------------------------------------
    ("list-missing-file", {"train.txt": "instances/i1.cnf\n# c\ninstances/nope.cnf\n"}, "list", InstanceError,
     "{d}/train.txt:3: instance file 'instances/nope.cnf' not found (looked in {d})"),
    ("list-duplicate", {"train.txt": "instances/i1.cnf\ninstances/i2.cnf\n\ninstances/i1.cnf 3\n"}, "list",
     InstanceError, "{d}/train.txt:4: duplicate instance 'instances/i1.cnf' (first listed on line 1)"),
    ("list-empty", {"train.txt": "# nothing here\n\n"}, "list", InstanceError,
     "{d}/train.txt: the instance list has no instances"),
    ("list-bad-quote", {"train.txt": "instances/i1.cnf\n'instances/i2.cnf\n"}, "list", InstanceError,
     "{d}/train.txt:2: cannot split the line: No closing quotation"),
    # --- feature files -------------------------------------------------------------------------------
    ("features-ragged", {"features.csv": FEATURE_HEAD + "instances/i1.cnf,3,2\ninstances/i2.cnf,3\n"},
     "features", FeatureFileError, "{d}/features.csv:3: row has 2 columns, expected 3 like the header"),
    ("features-non-numeric", {"features.csv": FEATURE_HEAD + "instances/i1.cnf,3,two\n"}, "features",
     FeatureFileError, "{d}/features.csv:2: non-numeric value 'two' in column 'n_clauses'"),
    ("features-nan", {"features.csv": FEATURE_HEAD + "instances/i1.cnf,3,2\ninstances/i2.cnf,nan,2\n"},
     "features", FeatureFileError,
     "{d}/features.csv:3: non-finite value 'nan' in column 'n_vars'; write '?' for a missing value"),
    ("features-inf", {"features.csv": FEATURE_HEAD + "instances/i1.cnf,-inf,2\n"}, "features", FeatureFileError,
     "{d}/features.csv:2: non-finite value '-inf' in column 'n_vars'; write '?' for a missing value"),
    ("features-missing-value", {"features.csv": FEATURE_HEAD + "instances/i1.cnf,?,2\n"}, "features",
     FeatureFileError,
     "{d}/features.csv:2: missing value ('?') in column 'n_vars'; pass allow_missing to accept missing values"),
    ("features-empty-cell", {"features.csv": FEATURE_HEAD + "instances/i1.cnf,3,\n"}, "features",
     FeatureFileError, "{d}/features.csv:2: missing value (an empty cell) in column 'n_clauses'; "
     "pass allow_missing to accept missing values"),
    ("features-instance-without-row", {"features.csv": FEATURE_HEAD + "instances/i1.cnf,3,2\n"},
     "features", FeatureFileError, "{d}/features.csv: no row for instance 'instances/i2.cnf' and 1 more"),
    ("features-unknown-instance", {"features.csv": FEATURE_HEAD + FEATURE_ROWS + "instances/zz.cnf,1,1\n"},
     "features", FeatureFileError, "{d}/features.csv:5: row for unknown instance 'instances/zz.cnf'"),
    ("features-duplicate-instance", {"features.csv": FEATURE_HEAD + FEATURE_ROWS + "instances/i2.cnf,1,1\n"},
     "features", FeatureFileError, "{d}/features.csv:5: duplicate instance 'instances/i2.cnf' (first on line 3)"),
    ("features-duplicate-column", {"features.csv": "instance,a,a\ninstances/i1.cnf,1,2\n"}, "features",
     FeatureFileError, "{d}/features.csv:1: duplicate feature name 'a' in the header"),
    ("features-no-rows", {"features.csv": FEATURE_HEAD}, "features", FeatureFileError,
     "{d}/features.csv: the feature file has a header but no rows"),
    # --- YAML scenarios ------------------------------------------------------------------------------
    ("yaml-missing-key", _yaml("train: train.txt\n", ""), "yaml", ScenarioError,
     "{d}/scenario.yaml:2: missing required key 'train'"),
    ("yaml-unknown-key", _yaml("cutoff: 5", "cutof: 5"), "yaml", ScenarioError,
     "{d}/scenario.yaml:13: unknown scenario key 'cutof'; expected one of: name, target, space, train, test, "
     "features, feature_costs, allow_missing_features, objective, maximize, cutoff, time_kind, par_factor, "
     "budget, memory_limit, deterministic, seed, crash_policy, max_failure_rate, min_runs_for_failure_rate, "
     "crash_cost, instance_cache, utility, equivalence_cache"),
    ("yaml-negative-cutoff", _yaml("cutoff: 5", "cutoff: -5"), "yaml", ScenarioError,
     "{d}/scenario.yaml:13: cutoff must be positive, got -5"),
    ("yaml-zero-cutoff", _yaml("cutoff: 5", "cutoff: 0"), "yaml", ScenarioError,
     "{d}/scenario.yaml:13: cutoff must be positive, got 0"),
    ("yaml-string-cutoff", _yaml("cutoff: 5", "cutoff: five"), "yaml", ScenarioError,
     "{d}/scenario.yaml:13: cutoff must be a number, got 'five'"),
    ("yaml-runtime-without-cutoff", _yaml("cutoff: 5\n", ""), "yaml", ScenarioError,
     "{d}/scenario.yaml:12: missing key 'cutoff': a runtime objective needs a cutoff in seconds"),
    ("yaml-missing-list", _yaml("train: train.txt", "train: nope.txt"), "yaml", ScenarioError,
     "{d}/scenario.yaml:8: train instance list 'nope.txt' not found (looked at {d}/nope.txt)"),
    ("yaml-missing-instance-in-list", {"train.txt": "instances/i1.cnf\ninstances/i9.cnf\n"}, "yaml",
     InstanceError, "{d}/train.txt:2: instance file 'instances/i9.cnf' not found (looked in {d})"),
    ("yaml-duplicate-inline-instance",
     _yaml("train: train.txt", "train:\n  - instances/i1.cnf\n  - instances/i2.cnf\n  - instances/i1.cnf"),
     "yaml", ScenarioError, "{d}/scenario.yaml:11: duplicate instance 'instances/i1.cnf' (first on line 9)"),
    ("yaml-missing-inline-instance", _yaml("train: train.txt", "train: [instances/i1.cnf, i7.cnf]"), "yaml",
     ScenarioError, "{d}/scenario.yaml:8: instance file 'i7.cnf' not found (looked at {d}/i7.cnf)"),
    ("yaml-unknown-target-key", _yaml("  output: aclib", "  outptu: aclib"), "yaml", ScenarioError,
     "{d}/scenario.yaml:6: unknown target key 'outptu'; expected one of: kind, command, callable, runner, "
     "syntax, output, env, cwd, options"),
    ("yaml-two-target-kinds", _yaml("  output: aclib", "  runner: minisat"), "yaml", ScenarioError,
     "{d}/scenario.yaml:3: target needs exactly one of command, callable, runner (given: command, runner)"),
    ("yaml-unknown-placeholder", _yaml("--seed={seed}", "--seed={sed}"), "yaml", ScenarioError,
     "{d}/scenario.yaml:4: unknown placeholder {sed} in the command; known: "
     "{instance} {specifics} {seed} {cutoff} {cutoff_int} {bound} {config}"),
    ("yaml-bad-syntax-choice", _yaml('syntax: "--name=value"', 'syntax: "--name:value"'), "yaml", ScenarioError,
     "{d}/scenario.yaml:5: target syntax must be one of '-name=value', '--name=value', '-name value', "
     "'--name value', 'aclib-old', 'aclib2', 'irace', got '--name:value'"),
    ("yaml-unknown-output", _yaml("  output: aclib", "  output: satcompetition"), "yaml", ScenarioError,
     "{d}/scenario.yaml:6: target output must be one of 'aclib', 'aclib2', 'irace', 'sat', 'satcomp', "
     "got 'satcompetition'"),
    ("yaml-cutoff-placeholder-without-cutoff",
     {"scenario.yaml": YAML.replace("cutoff: 5\n", "").replace("objective: runtime", "objective: quality")},
     "yaml", ScenarioError, "{d}/scenario.yaml:4: the target command uses {cutoff} but the scenario has no cutoff"),
    ("yaml-budget-unknown-key", _yaml("  runs: 40", "  run: 40"), "yaml", ScenarioError,
     "{d}/scenario.yaml:16: unknown budget key 'run'; expected one of: runs, wallclock, cpu_time"),
    ("yaml-budget-negative", _yaml("  wallclock: 600", "  wallclock: -1"), "yaml", ScenarioError,
     "{d}/scenario.yaml:17: budget.wallclock must be positive, got -1"),
    ("yaml-bad-objective", _yaml("objective: runtime", "objective: speed"), "yaml", ScenarioError,
     "{d}/scenario.yaml:12: objective must be one of runtime, quality; got 'speed'"),
    ("yaml-syntax-error", _yaml("budget:\n  runs: 40", "budget: [runs: 40"), "yaml", ScenarioError,
     "{d}/scenario.yaml:16: not valid YAML: expected ',' or ']', but got ':'"),
    ("yaml-duplicate-key", _yaml("seed: 3", "seed: 3\nseed: 4"), "yaml", ScenarioError,
     "{d}/scenario.yaml:20: duplicate key 'seed' (first on line 19)"),
    ("yaml-missing-space-file", _yaml("space: params.pcs", "space: p.pcs"), "yaml", ScenarioError,
     "{d}/scenario.yaml:7: space file 'p.pcs' not found (looked at {d}/p.pcs)"),
    ("yaml-memory-not-integer", _yaml("memory_limit: 1024", "memory_limit: 1.5"), "yaml", ScenarioError,
     "{d}/scenario.yaml:18: memory_limit must be an integer, got 1.5"),
    ("yaml-feature-row-missing", {"features.csv": FEATURE_HEAD + FEATURE_ROWS}, "yaml", FeatureFileError,
     "{d}/features.csv: no row for instance 'instances/i4.cnf' (listed at {d}/test.txt:1)"),
    ("yaml-not-a-mapping", {"scenario.yaml": "- a\n- b\n"}, "yaml", ScenarioError,
     "{d}/scenario.yaml:1: a scenario must be a mapping of keys to values"),
    ("yaml-generator-bad-kwargs",
     _yaml("test: test.txt", "test: {generator: 'algoconf.instances.generators:random_ksat', n: 2, seed: 1, kwargs: {k: 0}}"),
     "yaml", InstanceError, "{d}/scenario.yaml:9: generator algoconf.instances.generators:random_ksat rejected the spec: "
     "need 1 <= k <= variables, got k=0, variables=200"),
    ("yaml-generator-unknown-kwarg",
     _yaml("test: test.txt", "test: {generator: 'algoconf.instances.generators:random_ksat', n: 2, seed: 1, kwargs: {vars: 5}}"),
     "yaml", InstanceError, "{d}/scenario.yaml:9: generator algoconf.instances.generators:random_ksat rejected the spec: "
     "random_ksat() got an unexpected keyword argument 'vars'"),
    ("yaml-generator-missing-module", _yaml("test: test.txt", "test: {generator: 'nopkg.gen:make', n: 2, seed: 1}"),
     "yaml", InstanceError, "{d}/scenario.yaml:9: cannot import generator module 'nopkg.gen': "
     "No module named 'nopkg'"),
    ("yaml-generator-missing-n", _yaml("test: test.txt", "test: {generator: 'algoconf.instances.generators:random_ksat', seed: 1}"),
     "yaml", InstanceError, "{d}/scenario.yaml:9: generator spec is missing the key 'n'"),
    # --- AClib scenario.txt -------------------------------------------------------------------------
    ("aclib-unknown-key", _aclib("deterministic = 0", "determinstic = 0"), "aclib", ScenarioError,
     "{d}/scenario.txt:14: unknown key 'determinstic'; expected one of: abort_on_first_run_crash, algo, "
     "cost_for_crash, cutoff_length, cutoff_time, deterministic, execdir, feature_file, instance_file, "
     "memory_limit, multi_objectives, overall_obj, par_factor, paramfile, run_obj, runcount_limit, "
     "test_instance_file, tuner_timeout, use_instances, wallclock_limit"),
    ("aclib-negative-cutoff", _aclib("cutoff_time = 5", "cutoff_time = -5"), "aclib", ScenarioError,
     "{d}/scenario.txt:7: cutoff_time must be positive, got '-5'"),
    ("aclib-missing-key", _aclib("paramfile = params.pcs\n", ""), "aclib", ScenarioError,
     "{d}/scenario.txt:1: missing required key 'paramfile'"),
    ("aclib-runtime-without-cutoff", _aclib("cutoff_time = 5\n", ""), "aclib", ScenarioError,
     "{d}/scenario.txt:5: missing key 'cutoff_time': run_obj = runtime needs a cutoff"),
    ("aclib-bad-overall-obj", _aclib("PAR10", "PARX"), "aclib", ScenarioError,
     "{d}/scenario.txt:6: overall_obj must be PARk, meanK or mean, got 'PARX'"),
    ("aclib-missing-paramfile", _aclib("paramfile = params.pcs", "paramfile = p.pcs"), "aclib", ScenarioError,
     "{d}/scenario.txt:4: paramfile 'p.pcs' not found (looked at {cwd}/p.pcs or {d}/p.pcs)"),
    ("aclib-duplicate-key", _aclib("runcount_limit = 40", "runcount_limit = 40\nrunCount-limit = 50"), "aclib",
     ScenarioError, "{d}/scenario.txt:11: key 'runCount-limit' given twice (first on line 10)"),
    ("aclib-no-value", _aclib("memory_limit = 1024", "memory_limit ="), "aclib", ScenarioError,
     "{d}/scenario.txt:15: key 'memory_limit' has no value"),
    ("aclib-duplicate-instance", {"test.txt": "instances/i4.cnf\ninstances/i4.cnf\n"}, "aclib", InstanceError,
     "{d}/test.txt:2: duplicate instance 'instances/i4.cnf' (first listed on line 1)"),
    ("aclib-bad-runcount", _aclib("runcount_limit = 40", "runcount_limit = 4.5"), "aclib", ScenarioError,
     "{d}/scenario.txt:10: runcount_limit must be an integer, got '4.5'"),
    # --- the space file is read by algoconf.space (its errors name the parameter file) --------------
    ("space-bad-range", {"params.pcs": "decay real [0.99, 0.5] [0.95]\n"}, "yaml", SpaceError, None),
]


def _load(kind: str, d: Path):
    if kind == "list":
        return read_instance_list(d / "train.txt")
    if kind == "features":
        return read_feature_file(d / "features.csv", TRAIN)
    return load_scenario(d / ("scenario.yaml" if kind == "yaml" else "scenario.txt"))


@pytest.mark.parametrize("case, files, kind, error, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, case, files, kind, error, message):
    d = tmp_path / "s"
    shutil.copytree(DATA, d)
    for name, text in files.items():
        (d / name).write_text(text)
    with pytest.raises(error) as info:
        _load(kind, d)
    if message is None:  # owned by another module: check only that it names our file and a line
        assert info.value.file and info.value.file.endswith("params.pcs") and info.value.line == 1
    else:
        assert str(info.value) == message.replace("{d}", str(d)).replace("{cwd}", str(Path.cwd().resolve()))
        assert info.value.file is not None


def test_table_is_large_enough():
    assert len(CASES) >= 30


def test_missing_values_are_accepted_only_on_request(tmp_path):
    f = tmp_path / "f.csv"
    f.write_text("instance,a,b\nx,?,1\ny,,NA\n")
    table = read_feature_file(f, ["x", "y"], allow_missing=True)
    assert table.has_missing and [list(map(str, v)) for v in table.values.values()] == [["nan", "1.0"], ["nan", "nan"]]


def test_nested_yaml_aliases_are_refused_quickly(tmp_path):
    import time

    from algoconf.errors import ScenarioError
    from algoconf.scenario import load_scenario

    levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(levels) + "\ntarget: {command: 'true'}\nspace: x.pcs\ntrain: [a]\n")
    started = time.monotonic()
    with pytest.raises(ScenarioError, match="expands to more than 100000 values"):
        load_scenario(path)
    assert time.monotonic() - started < 30
