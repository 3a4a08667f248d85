"""Conformance suite every algoconf DAC environment must pass.

``check_dac_env(make)`` takes a zero-argument factory of fresh environments and checks, raising
``AssertionError`` with a clear message on the first failure:

1. gymnasium's env checker (``gymnasium.utils.env_checker.check_env``) passes *without warnings*
   (dtype, bounds, observations inside the space, seeding, ``reset``/``step`` signatures);
2. identity: ``id`` is ``<name>-v<version>`` and the reward semantics are documented;
3. seeding determinism: two fresh envs with the same seed and the same actions give identical
   observations, rewards, flags and instance names;
4. instance order and pinning: a seeded reset starts at the first instance and further resets walk
   the active split in round-robin order; ``reset(options=
   {"instance": name})`` pins every named instance of both splits (checked on the first few);
   an unknown name raises :class:`~algoconf.errors.DACError`;
5. the action codec round-trips (``encode(decode(a)) == a``) on sampled actions, and stepping a
   finished episode raises;
6. versioned reward: the reward fingerprint (:func:`reward_fingerprint`, the sum of rewards of fixed
   seeded episodes under seeded random actions) equals the value recorded in
   :data:`REWARD_FINGERPRINTS` for the env's id — a reward cannot change within a version.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Callable

import numpy as np

from algoconf.dac.env import DACEnv
from algoconf.dac.policies import sample_action
from algoconf.errors import DACError

__all__ = ["check_dac_env", "reward_fingerprint", "REWARD_FINGERPRINTS"]

# reward fingerprints of the default environments (make_env(id) without options); a change here is a
# change of reward semantics and needs a new version
# (cmaes-v1 also depends on the random numbers of the ``cma`` package; recorded with cma 4.5.0)
REWARD_FINGERPRINTS: dict[str, float] = {
    "sigmoid-v1": 15.910426265825468,
    "sigmoid-v2": 19.46094913260295,
    "luby-v1": -20.0,
    "leadingones-v1": -900.0,
    "onemax-v1": -74089.0,
    "cmaes-v1": 4.840988760934019,
}

_MAX_STEPS = 300


def _rollout(env: DACEnv, seed: int, steps: int, instance: Any = None) -> list[tuple[Any, ...]]:
    rng = np.random.default_rng(seed)
    obs, info = env.reset(seed=seed, options={"instance": instance} if instance is not None else None)
    trace: list[tuple[Any, ...]] = [("reset", info["instance"], np.asarray(obs).tolist())]
    for _ in range(steps):
        action = sample_action(env.action_space, rng)
        obs, reward, terminated, truncated, _ = env.step(action)
        trace.append((np.asarray(obs).tolist(), float(reward), bool(terminated), bool(truncated)))
        if terminated or truncated:
            break
    return trace


def reward_fingerprint(make: Callable[[], DACEnv], episodes: int = 3, steps: int = _MAX_STEPS) -> float:
    """Sum of rewards of ``episodes`` seeded episodes (seeds 0..) under seeded random actions (<= ``steps`` each)."""
    env = make()
    total = 0.0
    for seed in range(episodes):
        total += sum(step[1] for step in _rollout(env, seed, steps)[1:])
    return total


def check_dac_env(make: Callable[[], DACEnv], *, fingerprint: bool = True, pins: int = 3) -> None:
    """Run the conformance checks on environments made by ``make`` (see the module doc)."""
    from gymnasium.utils.env_checker import check_env

    env = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env, skip_render_check=True)
    problems = [str(w.message) for w in caught if "gymnasium" in (w.filename or "") or "env_checker" in str(w.category)]
    assert not problems, f"{env.id}: gymnasium's env checker warned: {problems}"

    assert re.fullmatch(r"[a-z_]+-v\d+", env.id), f"bad benchmark id {env.id!r}"
    assert env.reward_semantics.strip(), f"{env.id}: reward semantics are not documented"

    a, b = make(), make()
    for seed in (0, 1):
        ta, tb = _rollout(a, seed, 50), _rollout(b, seed, 50)
        assert ta == tb, f"{env.id}: same seed and actions gave different trajectories (seed {seed})"

    env = make()
    active = env.active_instances
    names = [env.reset(seed=0)[1]["instance"]] + [env.reset()[1]["instance"] for _ in range(min(len(active), 4))]
    expected = [active[i % len(active)].name for i in range(len(names))]
    assert names == expected, f"{env.id}: round-robin order gave {names}, expected {expected}"
    for split in ("train", "test"):
        for inst in env.instances.get(split)[:pins]:
            _, info = env.reset(seed=0, options={"instance": inst.name})
            assert info["instance"] == inst.name and env.instance == inst, f"{env.id}: pinning {inst.name} failed"
    try:
        env.reset(options={"instance": "no-such-instance-name"})
    except DACError:
        pass
    else:
        raise AssertionError(f"{env.id}: an unknown instance name did not raise DACError")

    rng = np.random.default_rng(0)
    for _ in range(5):
        action = sample_action(env.action_space, rng)
        config = env.codec.decode(action)
        again = env.codec.decode(env.codec.encode(config))
        assert _close(config, again), f"{env.id}: action codec does not round-trip: {config} vs {again}"
    env.reset(seed=0)
    done = False
    for _ in range(100000):
        _, _, terminated, truncated, _ = env.step(sample_action(env.action_space, rng))
        if terminated or truncated:
            done = True
            break
    if done:
        try:
            env.step(sample_action(env.action_space, rng))
        except DACError:
            pass
        else:
            raise AssertionError(f"{env.id}: step() after the end of an episode did not raise")

    if fingerprint:
        recorded = REWARD_FINGERPRINTS.get(env.id)
        assert recorded is not None, f"{env.id}: no recorded reward fingerprint; add it to REWARD_FINGERPRINTS"
        value = reward_fingerprint(make)
        assert abs(value - recorded) <= 1e-6 * max(1.0, abs(recorded)), (
            f"{env.id}: reward fingerprint {value!r} differs from the recorded {recorded!r}: the reward changed "
            "within a version (make a new version instead)"
        )


def _close(x: dict[str, Any], y: dict[str, Any]) -> bool:
    if x.keys() != y.keys():
        return False
    for k in x:
        if isinstance(x[k], float) or isinstance(y[k], float):
            if abs(float(x[k]) - float(y[k])) > 1e-5 * max(1.0, abs(float(x[k]))):
                return False
        elif x[k] != y[k]:
            return False
    return True
