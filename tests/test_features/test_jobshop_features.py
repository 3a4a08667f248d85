import random

import pytest

from algoconf.features.jobshop import model_features, order_encoding
from algoconf.instances.generators.jobshop import JobShop


def _optimum(shop: JobShop) -> int:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    horizon = shop.horizon
    starts, by_machine = {}, {}
    for j, job in enumerate(shop.jobs):
        for o, (m, d) in enumerate(job):
            s = model.NewIntVar(0, horizon, f"s{j}_{o}")
            starts[j, o] = s
            by_machine.setdefault(m, []).append(model.NewIntervalVar(s, d, s + d, f"i{j}_{o}"))
            if o:
                model.Add(s >= starts[j, o - 1] + job[o - 1][1])
    for ivs in by_machine.values():
        model.AddNoOverlap(ivs)
    makespan = model.NewIntVar(0, horizon, "mk")
    for j, job in enumerate(shop.jobs):
        model.Add(makespan >= starts[j, len(job) - 1] + job[-1][1])
    model.Minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.Solve(model) == cp_model.OPTIMAL
    return int(solver.ObjectiveValue())


def _shop(seed: int, n: int = 3) -> JobShop:
    r = random.Random(seed)
    jobs = []
    for _ in range(n):
        machines = list(range(n))
        r.shuffle(machines)
        jobs.append(tuple((m, r.randint(1, 6)) for m in machines))
    return JobShop(n, tuple(jobs))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_order_encoding_is_exact_on_a_fine_grid(seed):
    from pysat.solvers import Minisat22

    shop = _shop(seed)
    opt = _optimum(shop)
    answers = []
    for bound in (opt - 1, opt):
        cnf = order_encoding(shop, bound, max_steps=200)
        with Minisat22(bootstrap_with=[list(c) for c in cnf.clauses()]) as solver:
            answers.append(solver.solve())
    assert answers == [False, True]


def test_model_features_hand_computed():
    shop = JobShop(2, (((0, 2), (1, 4)), ((1, 3), (0, 1))))
    f = model_features(shop)
    assert (f["jobs"], f["machines"], f["operations"]) == (2, 2, 4)
    assert f["duration-mean"] == pytest.approx(2.5)
    assert f["duration-min"] == 1 and f["duration-max"] == 4
    # loads: machine0 = 3, machine1 = 7; job lengths 6 and 4; LB = max(6, 7) = 7 of horizon 10
    assert f["lower-bound-over-horizon"] == pytest.approx(0.7)
    assert f["machine-bound-over-job-bound"] == pytest.approx(7 / 6)
    assert f["machine-order-agreement"] == pytest.approx(-1.0)  # opposite machine orders
