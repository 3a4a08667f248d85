"""Every registered environment (and option variants) passes the DAC conformance suite."""

import pytest

from algoconf.dac import make_env
from algoconf.testing.dac import REWARD_FINGERPRINTS, check_dac_env

DEFAULTS = ["sigmoid-v1", "sigmoid-v2", "luby-v1", "leadingones-v1", "onemax-v1"]


@pytest.mark.parametrize("bench", DEFAULTS)
def test_default_envs_conform(bench):
    check_dac_env(lambda: make_env(bench))


@pytest.mark.slow
def test_cmaes_conforms():
    pytest.importorskip("cma")
    check_dac_env(lambda: make_env("cmaes-v1"))


@pytest.mark.parametrize(
    "bench, options",
    [
        ("sigmoid-v1", {"dim": 2}),
        ("sigmoid-v2", {"dim": 3, "actions": 5}),
        ("luby-v1", {"length": 64}),
        ("leadingones-v1", {"n": 12, "portfolio": None}),
        ("leadingones-v1", {"n": 20, "simulation": "bits"}),
        ("onemax-v1", {"n": 64}),
    ],
)
def test_variants_conform(bench, options):
    check_dac_env(lambda: make_env(bench, **options), fingerprint=False)


def test_every_benchmark_has_a_fingerprint():
    from algoconf.dac.benchmarks import BENCHMARKS

    ids = {f"{s.name}-v{v}" for s in BENCHMARKS.values() for v in s.versions}
    assert ids == set(REWARD_FINGERPRINTS)


def test_fingerprint_catches_a_changed_reward():
    from algoconf.dac.benchmarks.luby import LubyEnv

    class Shifted(LubyEnv):
        def _advance(self, action):
            obs, reward, te, tr, info = super()._advance(action)
            return obs, reward * 2.0, te, tr, info

    with pytest.raises(AssertionError, match="fingerprint"):
        check_dac_env(lambda: Shifted())
