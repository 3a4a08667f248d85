"""Instance lists and generated instance sets."""

from __future__ import annotations

import json
import multiprocessing
import textwrap
from pathlib import Path

import pytest

from algoconf.errors import InstanceError
from algoconf.instances import Instance, InstanceSet, generator_spec_hash, read_instance_list

DATA = Path(__file__).resolve().parents[1] / "data" / "scenario" / "basic"


def test_reads_aclib_list_with_specifics_comments_and_blank_lines():
    s = read_instance_list(DATA / "train.txt")
    assert s.names == ("instances/i1.cnf", "instances/i2.cnf", "instances/i3.cnf")
    assert s["instances/i2.cnf"].specifics == ("7",)
    assert s[0].path == DATA / "instances" / "i1.cnf"
    assert all(inst.path.is_file() for inst in s)
    assert len(s) == 3 and list(s.as_mapping()) == list(s.names)
    assert "instances/i3.cnf" in s and "nope" not in s
    assert s.source == {"list": str(DATA / "train.txt")}


def test_quoted_paths_and_search_folders(tmp_path):
    (tmp_path / "dir with space").mkdir()
    (tmp_path / "dir with space" / "a.cnf").write_text("p cnf 1 1\n1 0\n")
    other = tmp_path / "exec"
    (other / "x").mkdir(parents=True)
    (other / "x" / "b.cnf").write_text("p cnf 1 1\n1 0\n")
    lst = tmp_path / "list.txt"
    lst.write_text("'dir with space/a.cnf' --opt 'two words'  # trailing comment\nx/b.cnf\n")
    s = read_instance_list(lst, search=[other])
    assert s.names == ("dir with space/a.cnf", "x/b.cnf")
    assert s[0].specifics == ("--opt", "two words")
    assert s["x/b.cnf"].path == other / "x" / "b.cnf"


def test_abstract_names_without_files(tmp_path):
    lst = tmp_path / "names.txt"
    lst.write_text("alpha\nbeta 3\n")
    s = read_instance_list(lst, must_exist=False)
    assert s.names == ("alpha", "beta")
    assert InstanceSet.from_names(["a", "b"]).names == ("a", "b")
    with pytest.raises(InstanceError, match="duplicate instance 'a'"):
        InstanceSet((Instance("a", None), Instance("a", None)))


def test_instance_equality_ignores_meta():
    assert Instance("a", Path("a"), meta={"x": 1}) == Instance("a", Path("a"))


# --- generators ------------------------------------------------------------------------------------
GEN_MODULE = textwrap.dedent(
    '''
    import os
    from pathlib import Path

    CALLS = Path(os.environ["GEN_CALLS"])

    def make(out_dir, n, seed, *, width=3):
        with CALLS.open("a") as fh:
            fh.write("call\\n")
        paths = []
        for i in range(n):
            p = Path(out_dir) / f"g-{seed}-{i}.txt"
            p.write_text(f"{seed} {i} {width}\\n")
            paths.append(p)
        return paths

    def broken(out_dir, n, seed):
        (Path(out_dir) / "half.txt").write_text("x")
        raise RuntimeError("generator died")

    def liar(out_dir, n, seed):
        return [Path(out_dir) / "never-written.txt"]
    '''
)


@pytest.fixture
def gen_module(tmp_path, monkeypatch):
    mod_dir = tmp_path / "mods"
    mod_dir.mkdir()
    (mod_dir / "fake_gen_mod.py").write_text(GEN_MODULE)
    monkeypatch.syspath_prepend(str(mod_dir))
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("GEN_CALLS", str(calls))
    return calls


def test_generator_runs_once_and_caches(tmp_path, gen_module):
    spec = {"generator": "fake_gen_mod:make", "n": 3, "seed": 5, "kwargs": {"width": 4}}
    cache = tmp_path / "cache"
    first = InstanceSet.from_generator(spec, cache)
    second = InstanceSet.from_generator(dict(spec), cache)
    assert first == second
    assert first.names == ("g-5-0.txt", "g-5-1.txt", "g-5-2.txt")
    assert first[1].path == cache / generator_spec_hash(spec) / "g-5-1.txt"
    assert first[1].path.read_text() == "5 1 4\n"
    assert gen_module.read_text().count("call") == 1
    other = InstanceSet.from_generator({**spec, "seed": 6}, cache)
    assert other.names[0] == "g-6-0.txt" and gen_module.read_text().count("call") == 2
    assert first.source == spec


def test_failed_generation_leaves_no_folder(tmp_path, gen_module):
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="generator died"):
        InstanceSet.from_generator({"generator": "fake_gen_mod:broken", "n": 2, "seed": 1}, cache)
    assert list(cache.iterdir()) == []
    with pytest.raises(InstanceError, match="returned never-written.txt, which it did not write"):
        InstanceSet.from_generator({"generator": "fake_gen_mod:liar", "n": 1, "seed": 1}, cache)
    assert list(cache.iterdir()) == []


def _generate_in_child(cache: str) -> tuple:
    return InstanceSet.from_generator({"generator": "algoconf.instances.generators:random_ksat", "n": 3, "seed": 9,
                                       "kwargs": {"variables": 20}}, cache).names


def test_concurrent_generation_gives_one_complete_set(tmp_path):
    cache = tmp_path / "cache"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(_generate_in_child, [str(cache)] * 4)
    assert len(set(results)) == 1 and len(results[0]) == 3
    folders = [p for p in cache.iterdir()]
    assert len(folders) == 1 and not folders[0].name.startswith(".")
    manifest = json.loads((folders[0] / ".algoconf-instances.json").read_text())
    assert manifest["instances"] == list(results[0])


def test_real_generator_is_deterministic(tmp_path):
    spec = {"generator": "algoconf.instances.generators:random_ksat", "n": 2, "seed": 4, "kwargs": {"variables": 20}}
    a = InstanceSet.from_generator(spec, tmp_path / "a")
    b = InstanceSet.from_generator(spec, tmp_path / "b")
    assert a.names == b.names
    assert [i.path.read_bytes() for i in a] == [i.path.read_bytes() for i in b]


def test_generated_instances_carry_their_sidecar_facts_in_meta(tmp_path):
    s = InstanceSet.from_generator({"generator": "algoconf.instances.generators:pigeonhole", "n": 2, "seed": 3,
                                    "kwargs": {"holes": 3}}, tmp_path / "cache")
    assert [i.meta["answer"] for i in s] == ["UNSAT", "UNSAT"]
    assert all(i.meta["generator"] == "algoconf.instances.generators:pigeonhole" for i in s)
    plain = InstanceSet.from_generator({"generator": "algoconf.instances.generators:random_ksat", "n": 1, "seed": 3,
                                        "kwargs": {"variables": 20}}, tmp_path / "cache")
    assert "answer" not in plain[0].meta  # random k-SAT: nothing known by construction
