"""Feature computation through the executor: caps enforced, dependencies, cache, CLI, bad input."""

import gzip
import json
import math

import numpy as np
import pytest

from algoconf.cli.features_cmd import register
from algoconf.errors import CNFFormatError, InputError
from algoconf.features.compute import compute_features

CNF_A = "p cnf 4 3\n1 -2 0\n-1 2 3 0\n-3 -4 0\n"
CNF_B = "p cnf 3 4\n1 2 0\n-1 3 0\n-2 -3 0\n1 -3 0\n"


@pytest.fixture()
def two_cnfs(tmp_path):
    a, b = tmp_path / "a.cnf", tmp_path / "b.cnf.gz"
    a.write_text(CNF_A)
    with gzip.open(b, "wt") as fh:
        fh.write(CNF_B)
    return [a, b]


def test_parallel_computation_then_cache_hit(two_cnfs, tmp_path):
    cache = tmp_path / "cache"
    first = compute_features(two_cnfs, groups=["base", "unit"], workers=2, cache_dir=cache)
    assert first.computed == 4 and first.cached == 0
    assert (first.status == "ok").all().all()
    assert first.values.loc[str(two_cnfs[0]), "nclauses"] == 3
    assert first.values.loc[str(two_cnfs[1]), "nclauses"] == 4  # gzipped file simply works
    again = compute_features(two_cnfs, groups=["base", "unit"], workers=2, cache_dir=cache)
    assert again.computed == 0 and again.cached == 4
    assert again.values.equals(first.values)


def test_hard_cap_gives_timeout_and_skips_dependents(tmp_path):
    # a formula whose base group needs far more than the 1 ms cap (parsing alone takes longer)
    rng = np.random.default_rng(0)
    n, m = 20000, 85000
    lits = rng.integers(1, n + 1, size=(m, 3)) * rng.choice([-1, 1], size=(m, 3))
    big = tmp_path / "big.cnf"
    big.write_text(f"p cnf {n} {m}\n" + "\n".join(" ".join(map(str, row)) + " 0" for row in lits) + "\n")
    comp = compute_features([big], groups=["vg"], caps={"base": 0.001}, workers=1, cache_dir=tmp_path / "c")
    row = comp.status.iloc[0]
    assert row["base"] == "timeout" and row["vg"] == "skipped"
    assert math.isnan(comp.values.iloc[0]["nvars"])  # missing is NaN, never zero
    assert comp.costs.iloc[0]["base"] > 0


def test_malformed_file_is_reported_before_any_run(tmp_path):
    bad = tmp_path / "bad.cnf"
    bad.write_text("p cnf 2 1\n1 3 0\n")
    with pytest.raises(CNFFormatError, match=r"bad.cnf:2: literal 3 is out of range"):
        compute_features([bad], cache_dir=tmp_path / "c")


def test_unknown_suffix_and_missing_file(tmp_path):
    other = tmp_path / "x.lp"
    other.write_text("a.")
    with pytest.raises(InputError, match="no feature extractor"):
        compute_features([other], cache_dir=tmp_path / "c")
    with pytest.raises(InputError, match="instance file not found"):
        compute_features([tmp_path / "missing.cnf"], cache_dir=tmp_path / "c")


def test_cli_json_without_output_prints_the_features(two_cnfs, tmp_path, capsys):
    from algoconf.cli.main import main

    code = main(["features", *map(str, two_cnfs), "--groups", "base", "--cache", str(tmp_path / "c"), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["output"] is None and set(data["values"]) == {str(p) for p in two_cnfs}
    a = data["values"][str(two_cnfs[0])]
    assert (a["nvars"], a["nclauses"]) == (4, 3)
    assert data["status"][str(two_cnfs[1])] == {"base": "ok"}
    assert list(tmp_path.glob("*.csv")) == []


def test_cli_without_output_or_json_is_one_line_of_bad_input(two_cnfs, capsys):
    from algoconf.cli.main import main

    assert main(["features", str(two_cnfs[0])]) == 2
    assert capsys.readouterr().err == "algoconf: features needs -o FILE.csv, or --json to print the features on stdout\n"


def test_cli_writes_features_and_costs(two_cnfs, tmp_path, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    out = tmp_path / "f.csv"
    args = parser.parse_args(
        ["features", *map(str, two_cnfs), "--groups", "base", "-o", str(out), "--cache", str(tmp_path / "c"), "--json"]
    )
    assert args.func(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["instances"] == 2 and summary["status_counts"]["base"] == {"ok": 2}
    header = out.read_text().splitlines()[0].split(",")
    assert header[0] == "instance" and "nvars" in header
    costs = (tmp_path / "f.costs.csv").read_text().splitlines()[0].split(",")
    assert costs == ["instance", "base", "base-status"]
