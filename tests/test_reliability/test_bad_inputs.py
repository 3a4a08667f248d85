"""Every case of the bad-input corpus (tests/data/bad_inputs, written by its make_bad_inputs.py) ends
in one line on stderr and exit code 2, naming the file and the line where the input has one."""

from __future__ import annotations

from pathlib import Path

import pytest

from algoconf.testing.bad_inputs import load_cases, run_case

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
CASES = [c for c in load_cases(CORPUS) if not c.get("slow")]


def test_the_corpus_is_large_and_covers_every_reader():
    files = [p for p in (CORPUS / "cases").rglob("*") if p.is_file()]
    assert len(files) >= 250 and len(CASES) >= 200
    assert {c["id"].split("/")[0] for c in CASES} >= {
        "cnf", "pcs", "scenario_yaml", "scenario_aclib", "instance_list", "feature_csv", "aslib", "model",
        "history", "options"}


@pytest.mark.parametrize("entry", CASES, ids=[c["id"] for c in CASES])
def test_a_bad_input_is_one_line_and_exit_2(entry):
    outcome = run_case(CORPUS, entry)
    assert outcome.ok, f"{outcome.problem}: {outcome.lines}"


def test_the_hostile_model_ran_nothing():
    marker = Path("/tmp/algoconf-corpus-pwned")
    marker.unlink(missing_ok=True)
    [entry] = [c for c in CASES if c["id"] == "model/hostile_pickle"]
    assert run_case(CORPUS, entry).ok
    assert not marker.exists()
