"""Seeded, deterministic instance generators.

Every generator has the signature the scenario's ``generator`` spec expects::

    f(out_dir: Path, n: int, seed: int, **kwargs) -> list[Path]

and writes ``n`` files whose contents depend only on (seed, index, kwargs). Use one in a scenario as
``{generator: "algoconf.instances.generators:random_ksat", n: 50, seed: 1, kwargs: {variables: 225}}``.
Answers known by construction are recorded in ``<instance>.json`` sidecars (:func:`known_answer`).
"""

from algoconf.instances.generators._files import known_answer, read_sidecar, sidecar_path
from algoconf.instances.generators.cnf import dimacs
from algoconf.instances.generators.colouring import flat_colouring, gnm_colouring
from algoconf.instances.generators.jobshop import JobShop, read_jobshop, taillard_jobshop
from algoconf.instances.generators.ksat import random_ksat
from algoconf.instances.generators.pigeonhole import pigeonhole

__all__ = [
    "random_ksat",
    "flat_colouring",
    "gnm_colouring",
    "taillard_jobshop",
    "pigeonhole",
    "JobShop",
    "read_jobshop",
    "dimacs",
    "known_answer",
    "read_sidecar",
    "sidecar_path",
]
