"""algoconf.benchmarking.provenance: the full commit of the imported code, ``+dirty`` only for
changed code (not for results a benchmark writes into the tree), computed once per process."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from algoconf.benchmarking import provenance

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A git checkout with a package file and a result file, taken as the imported code's root."""
    root = tmp_path / "repo"
    (root / "algoconf").mkdir(parents=True)
    (root / "benchmarks" / "results").mkdir(parents=True)
    (root / "algoconf" / "engine.py").write_text("x = 1\n")
    (root / "benchmarks" / "results" / "r.json").write_text("{}\n")
    (root / "docs").mkdir()
    (root / "docs" / "a.md").write_text("a\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "first")
    monkeypatch.setattr(provenance, "repository_root", lambda: root)
    provenance.source_commit.cache_clear()
    yield root
    provenance.source_commit.cache_clear()


def test_a_clean_checkout_gives_its_full_head_hash(checkout):
    commit = provenance.source_commit()
    assert re.fullmatch(r"[0-9a-f]{40}", commit) and commit == _git(checkout, "rev-parse", "HEAD")
    assert provenance.changed_files() == []


def test_changed_code_makes_it_dirty_written_results_docs_and_new_files_do_not(checkout):
    (checkout / "benchmarks" / "results" / "r.json").write_text('{"rows": [1]}\n')
    (checkout / "docs" / "a.md").write_text("b\n")
    (checkout / "algoconf" / "new.py").write_text("")  # untracked
    assert provenance.changed_files() == []
    assert not provenance.source_commit().endswith("+dirty")
    provenance.source_commit.cache_clear()
    (checkout / "algoconf" / "engine.py").write_text("x = 2\n")
    assert provenance.changed_files() == ["algoconf/engine.py"]
    assert provenance.source_commit() == _git(checkout, "rev-parse", "HEAD") + "+dirty"


def test_the_commit_is_the_one_the_process_started_at(checkout):
    first = provenance.source_commit()
    (checkout / "algoconf" / "engine.py").write_text("x = 3\n")
    _git(checkout, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "second")
    assert provenance.source_commit() == first != _git(checkout, "rev-parse", "HEAD")


def test_outside_a_checkout_it_is_unknown(tmp_path, monkeypatch):
    monkeypatch.setattr(provenance, "repository_root", lambda: tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    provenance.source_commit.cache_clear()
    try:
        assert provenance.source_commit() == "unknown" and provenance.changed_files() == []
    finally:
        provenance.source_commit.cache_clear()


def test_the_package_is_found_where_it_was_imported_from():
    import algoconf

    assert provenance.repository_root() / "algoconf" == Path(algoconf.__file__).resolve().parent
