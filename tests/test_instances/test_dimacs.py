import bz2
import gzip
import lzma

import numpy as np
import pytest

from algoconf.instances.dimacs import CNF, first_violated_clause, format_cnf, parse_cnf, read_cnf
from algoconf.errors import CNFFormatError

GOOD = "c a comment\np cnf 3 2\n1 -2 0\n2 3\n -1 0\n"


def test_parses_clauses_spanning_lines_and_comments():
    cnf = parse_cnf(GOOD)
    assert cnf.n_vars == 3 and cnf.n_clauses == 2
    assert cnf.clauses() == [(1, -2), (2, 3, -1)]
    assert cnf.lengths.tolist() == [2, 3]


def test_satlib_percent_end_marker():
    cnf = parse_cnf("p cnf 2 1\n1 2 0\n%\n0\n")
    assert cnf.clauses() == [(1, 2)]


def test_empty_clause_and_zero_clause_formula():
    assert parse_cnf("p cnf 2 1\n0\n").clauses() == [()]
    assert parse_cnf("p cnf 0 0\n").n_clauses == 0


@pytest.mark.parametrize("opener,suffix", [(gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")])
def test_compressed_files_simply_work(tmp_path, opener, suffix):
    path = tmp_path / f"f.cnf{suffix}"
    with opener(path, "wt") as fh:
        fh.write(GOOD)
    assert read_cnf(path).clauses() == [(1, -2), (2, 3, -1)]


@pytest.mark.parametrize(
    "text,line,message",
    [
        ("", None, "empty file: expected a 'p cnf <variables> <clauses>' header"),
        ("1 2 0\n", 1, "no 'p cnf <variables> <clauses>' header"),
        ("p cnf 3 3\n1 2 0\n", 1, "the header declares 3 clauses but the file has 1"),
        ("p cnf 2 1\n1 -3 0\n", 2, "literal -3 is out of range: the header declares 2 variables"),
        ("p cnf 2 2\n1 0\nc x\n2", 4, "the last clause has no terminating 0"),
        ("p cnf 2 1\n1 x 0\n", 2, "expected an integer literal, found 'x'"),
        ("p wcnf 2 1\n1 0\n", 1, "expected 'p cnf <variables> <clauses>', found 'p wcnf 2 1'"),
        ("p cnf 2 1 9\n1 0\n", 1, "expected 'p cnf <variables> <clauses>', found 'p cnf 2 1 9'"),
        ("1 0\np cnf 1 1\n1 0\n", 1, "clauses before the 'p cnf' header"),
    ],
)
def test_malformed_files_name_file_line_and_expectation(tmp_path, text, line, message):
    path = tmp_path / "bad.cnf"
    path.write_text(text)
    with pytest.raises(CNFFormatError) as err:
        read_cnf(path)
    expected = f"{path}:{line}: {message}" if line else f"{path}: {message}"
    assert str(err.value) == expected


def test_missing_file_is_typed_error(tmp_path):
    with pytest.raises(CNFFormatError, match="file not found"):
        read_cnf(tmp_path / "nope.cnf")


def test_round_trip_and_model_check():
    rng = np.random.default_rng(0)
    clauses = [tuple(int(v) * int(s) for v, s in zip(rng.choice(np.arange(1, 21), 3, replace=False), rng.choice([-1, 1], 3))) for _ in range(60)]
    cnf = CNF.from_clauses(20, clauses)
    again = parse_cnf(format_cnf(cnf))
    assert again.clauses() == cnf.clauses()
    model = [v if rng.random() < 0.5 else -v for v in range(1, 21)]
    expected = next((i for i, c in enumerate(clauses) if not any(l in model for l in c)), None)
    assert first_violated_clause(cnf, model) == expected
    assert first_violated_clause(CNF.from_clauses(2, [(1,), ()]), [1, 2]) == 1


@pytest.mark.parametrize("opener", [gzip.compress, bz2.compress, lzma.compress])
def test_a_small_compressed_file_cannot_expand_past_the_cap(tmp_path, monkeypatch, opener):
    monkeypatch.setenv("ALGOCONF_MAX_CNF_MB", "1")
    path = tmp_path / "bomb.cnf.gz"
    path.write_bytes(opener(b"p cnf 1 1\n" + b"c " + b"x" * (3 * 2**20) + b"\n1 0\n"))
    assert path.stat().st_size < 100_000
    with pytest.raises(CNFFormatError, match="decompresses to more than 1 MiB.*ALGOCONF_MAX_CNF_MB"):
        read_cnf(path)
    monkeypatch.setenv("ALGOCONF_MAX_CNF_MB", "8")
    assert read_cnf(path).clauses() == [(1,)]


def test_a_plain_file_over_the_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("ALGOCONF_MAX_CNF_MB", "1")
    path = tmp_path / "big.cnf"
    path.write_bytes(b"p cnf 1 1\n" + b"c " + b"x" * (2 * 2**20) + b"\n1 0\n")
    with pytest.raises(CNFFormatError, match="is more than 1 MiB"):
        read_cnf(path)


def test_variables_and_literals_beyond_the_stored_ranges_are_errors(tmp_path):
    with pytest.raises(CNFFormatError, match="at most 2147483647") as err:
        parse_cnf("p cnf 3000000000 1\n2500000000 0\n")
    assert err.value.line == 1
    with pytest.raises(CNFFormatError, match="outside the 64-bit integer range") as err:
        parse_cnf("p cnf 3 1\n1 0\n99999999999999999999999 0\n".replace("1 0\n", "", 1).replace("p cnf 3 1", "p cnf 3 1"))
    assert err.value.line == 2
    assert parse_cnf("p cnf 2147483647 1\n-2147483647 0\n").clauses() == [(-2147483647,)]


def test_a_folder_is_an_error_not_a_traceback(tmp_path):
    with pytest.raises(CNFFormatError, match="is a folder"):
        read_cnf(tmp_path)
