"""Seeded random spaces (all types, nested conditions with && and ||, forbidden clauses): every one
round-trips through each format that can express it, and its samples and neighbours are valid."""

from __future__ import annotations

import random
import warnings

import pytest
from ConfigSpace import Configuration

from algoconf.errors import SpaceError
from algoconf.space import FORMATS, describe_space, neighbours, parse_space, sample_configs, space_to_text

from .validity import problems


def _random_space_text(seed: int) -> str:
    rng = random.Random(seed)
    lines, conds, forbs = [], [], []
    params = []  # (name, kind, domain)
    for i in range(rng.randint(3, 9)):
        name = f"p{i}"
        kind = rng.choice(["categorical", "ordinal", "integer", "real"])
        if kind in ("categorical", "ordinal"):
            choices = [f"v{j}" for j in range(rng.randint(2, 4))]
            lines.append(f"{name} {kind} {{{', '.join(choices)}}} [{rng.choice(choices)}]")
            params.append((name, kind, choices))
        elif kind == "integer":
            lo = rng.choice([0, 1, 2]); hi = lo + rng.choice([3, 10, 200])
            log = lo > 0 and rng.random() < 0.4
            lines.append(f"{name} integer [{lo}, {hi}] [{rng.randint(lo, hi)}]{' log' if log else ''}")
            params.append((name, kind, (lo, hi)))
        else:
            lo = rng.choice([0.0, 0.5]); hi = lo + rng.choice([1.0, 10.0])
            log = lo > 0 and rng.random() < 0.4
            lines.append(f"{name} real [{lo}, {hi}] [{round(rng.uniform(lo, hi), 3)}]{' log' if log else ''}")
            params.append((name, kind, (lo, hi)))

    def atom(parent) -> str:
        name, kind, domain = parent
        if kind in ("categorical", "ordinal"):
            ops = ["==", "!=", "in"] + (["<", ">"] if kind == "ordinal" else [])
            op = rng.choice(ops)
            if op == "in":
                return f"{name} in {{{', '.join(rng.sample(domain, rng.randint(1, len(domain) - 1)))}}}"
            if op == "<":
                return f"{name} < {rng.choice(domain[1:])}"
            if op == ">":
                return f"{name} > {rng.choice(domain[:-1])}"
            return f"{name} {op} {rng.choice(domain)}"
        lo, hi = domain
        if kind == "integer":
            return f"{name} {rng.choice(['>', '<'])} {rng.randint(lo + 1, hi - 1)}"
        return f"{name} {rng.choice(['>', '<'])} {round(rng.uniform(lo + 0.1, hi - 0.1), 2)}"

    for i in range(1, len(params)):
        if rng.random() < 0.6:
            parents = params[:i]
            disjuncts = [
                " && ".join(atom(rng.choice(parents)) for _ in range(rng.randint(1, 2)))
                for _ in range(rng.randint(1, 2))
            ]
            conds.append(f"{params[i][0]} | {' || '.join(disjuncts)}")
    finite = [p for p in params if p[1] in ("categorical", "ordinal") or (p[1] == "integer" and p[2][1] - p[2][0] <= 10)]
    for _ in range(rng.randint(0, 3)):
        if len(finite) >= 2:
            a, b = rng.sample(finite, 2)
            pick = lambda p: rng.choice(p[2]) if p[1] in ("categorical", "ordinal") else rng.randint(*p[2])  # noqa: E731
            forbs.append(f"{{{a[0]}={pick(a)}, {b[0]}={pick(b)}}}")
    return "\n".join(lines + conds + forbs) + "\n"


def _spaces(count: int):
    out = []
    for seed in range(count * 3):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a forbidden clause repeating another is kept once, with a warning
                out.append((seed, parse_space(_random_space_text(seed), "pcs_new", f"random{seed}.pcs")))
        except SpaceError as err:
            # a random forbidden clause may hit the default: that is an error the reader must
            # report, and it names the clause's line
            assert err.line is not None and "forbidden clause" in err.message, err
        if len(out) == count:
            break
    assert len(out) == count
    return out


SPACES = _spaces(40)


@pytest.mark.parametrize("seed, space", SPACES, ids=[f"seed{s}" for s, _ in SPACES])
def test_random_space_round_trips_and_samples_validly(seed, space):
    before = describe_space(space)
    for fmt in FORMATS:
        try:
            text = space_to_text(space, fmt)
        except SpaceError as err:
            assert fmt == "pcs" and "pcs (old syntax) cannot express" in err.message, err
            continue
        after = describe_space(parse_space(text, fmt))
        for p in after["parameters"]:
            p.pop("switch", None)
        assert after == before, (fmt, text)
    configs = sample_configs(space, 50, seed=seed)
    for config in configs:
        assert problems(space, config) == [], config
        Configuration(space, values=config).check_valid_configuration()  # ConfigSpace agrees
    for near in neighbours(space, configs[0], 5, seed=seed):
        assert problems(space, near) == [], near
