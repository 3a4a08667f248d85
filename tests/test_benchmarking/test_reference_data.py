"""algoconf.benchmarking.reference_data: the ASlib folder is the first location given, never a silent
fallback past it."""

from __future__ import annotations

from algoconf.benchmarking import provenance, reference_data
from algoconf.benchmarking.reference_data import ASLIB_ENV, aslib_root


def test_explicit_then_environment_then_beside_the_checkout(tmp_path, monkeypatch):
    checkout = tmp_path / "repo"
    shared = tmp_path / "shared" / "data" / "aslib"
    shared.mkdir(parents=True)
    env, explicit = tmp_path / "env", tmp_path / "explicit"
    env.mkdir()
    explicit.mkdir()
    monkeypatch.setattr(reference_data, "repository_root", lambda: checkout)
    monkeypatch.delenv(ASLIB_ENV, raising=False)
    assert aslib_root() == shared
    monkeypatch.setenv(ASLIB_ENV, str(env))
    assert aslib_root() == env
    assert aslib_root(explicit) == explicit


def test_a_given_location_that_is_no_folder_is_absent_not_replaced(tmp_path, monkeypatch):
    (tmp_path / "shared" / "data" / "aslib").mkdir(parents=True)
    monkeypatch.setattr(reference_data, "repository_root", lambda: tmp_path / "repo")
    monkeypatch.setenv(ASLIB_ENV, str(tmp_path / "mistyped"))
    assert aslib_root() is None
    assert aslib_root(tmp_path / "nothing") is None


def test_the_default_is_beside_the_imported_package():
    assert reference_data.repository_root is provenance.repository_root
