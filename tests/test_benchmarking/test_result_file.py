"""algoconf.benchmarking.result_file: processes that share a result file keep each other's rows, and
the file is replaced atomically."""

from __future__ import annotations

import json
import multiprocessing

from algoconf.benchmarking import read_json, update_json, write_json


def _append_rows(path: str, worker: int, n: int) -> None:
    for i in range(n):
        update_json(
            path,
            lambda d, r={"worker": worker, "i": i}: d["rows"].append(r),  # noqa: B023
            empty=lambda: {"rows": []},
            lock="test-result-file",
        )


def test_processes_sharing_a_file_keep_every_row(tmp_path):
    path = tmp_path / "results" / "r.json"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_rows, args=(str(path), w, 25)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    rows = json.loads(path.read_text())["rows"]
    assert sorted((r["worker"], r["i"]) for r in rows) == [(w, i) for w in range(3) for i in range(25)]
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]  # no temporary file left behind


def test_update_returns_the_new_data_and_starts_from_empty(tmp_path):
    path = tmp_path / "r.json"
    assert read_json(path, list) == []
    assert update_json(path, lambda d: d.append(1), empty=list, lock="test-result-file") == [1]
    assert update_json(path, lambda d: d.append(2), empty=list, lock="test-result-file") == [1, 2]
    assert read_json(path, list) == [1, 2]


def test_write_json_replaces_the_whole_file(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"rows": [1, 2, 3], "long": "' + "x" * 1000 + '"}')
    write_json(path, {"rows": []})
    assert json.loads(path.read_text()) == {"rows": []}
