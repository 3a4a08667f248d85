"""Both histories satisfy the protocols the engine, the guard and the analyses are typed against."""

from __future__ import annotations

from algoconf.history import HistoryStore, MemoryHistory, RunHistory, RunResults
from algoconf.records import RunRequest, RunResult, Status


def _result(seed: int) -> RunResult:
    return RunResult(RunRequest({"x": 1}, "i1", seed, 10.0), Status.SUCCESS, 1.0)


def test_run_history_and_memory_history_are_history_stores(tmp_path):
    with RunHistory.open(tmp_path / "run") as stored:
        assert isinstance(stored, HistoryStore) and isinstance(stored, RunResults)
    memory = MemoryHistory()
    assert isinstance(memory, HistoryStore) and isinstance(memory, RunResults)
    assert memory.keeps_state is False and RunHistory.keeps_state is True


def test_a_store_without_commit_is_not_one():
    class ReadOnly:  # every reading method, no writing side
        def get(self, key):
            return None

        def __contains__(self, key):
            return False

        def results(self, config_key=None, instance=None):
            return []

        def race_results(self, races):
            return []

        def __len__(self):
            return 0

        def __iter__(self):
            return iter(())

    assert isinstance(ReadOnly(), RunResults)
    assert not isinstance(ReadOnly(), HistoryStore)


def test_both_answer_the_reading_side_alike(tmp_path):
    results = [_result(0), _result(1)]
    with RunHistory.open(tmp_path / "run") as stored:
        memory = MemoryHistory()
        for history in (stored, memory):
            assert history.commit(results + [results[0]]) == [True, True, False]
            assert len(history) == 2 and results[1].key in history
            assert [r.key for r in history.results(config_key=results[0].request.config_key)] == [r.key for r in results]
            assert history.get(results[0].key) == results[0]
