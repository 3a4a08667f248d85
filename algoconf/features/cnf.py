"""The CNF feature extractor: groups ``base`` (cheap structure), ``vg`` (variable graph), ``cg``
(clause graph), ``diameter`` (variable-graph eccentricities), and the time-capped probes ``unit``
(unit propagation) and ``ls`` (WalkSAT). See cnf_stats.py, cnf_graphs.py and cnf_probes.py for
the definitions."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Mapping

from algoconf.instances.dimacs import read_cnf, read_cnf_cached
from algoconf.features.base import Deadline, FeatureExtractor, FeatureGroup, GroupStatus
from algoconf.features.cnf_graphs import CG_FEATURES, DIAMETER_FEATURES, clause_graph_features, diameter_features
from algoconf.features.cnf_probes import LS_FEATURES, UNIT_FEATURES, local_search_probe, unit_probe
from algoconf.features.cnf_stats import BASE_FEATURES, VG_FEATURES, base_features, variable_graph_features

__all__ = ["CNFFeatures"]


class CNFFeatures(FeatureExtractor):
    name = "cnf"
    groups: ClassVar[Mapping[str, FeatureGroup]] = {
        "base": FeatureGroup("base", BASE_FEATURES, cap=30.0),
        "vg": FeatureGroup("vg", VG_FEATURES, requires=("base",), cap=30.0),
        "cg": FeatureGroup("cg", CG_FEATURES, requires=("base",), cap=30.0),
        "diameter": FeatureGroup("diameter", DIAMETER_FEATURES, requires=("vg",), cap=20.0),
        "unit": FeatureGroup("unit", UNIT_FEATURES, requires=("base",), cap=5.0, probe=True),
        "ls": FeatureGroup("ls", LS_FEATURES, requires=("base",), cap=5.0, probe=True),
    }

    def validate(self, path: Path) -> None:
        read_cnf(path)

    def _compute(self, path: Path, group: str, deadline: Deadline, seed: int):
        cnf = read_cnf_cached(path)
        if group == "base":
            return base_features(cnf), GroupStatus.OK, None
        if group == "vg":
            try:
                return variable_graph_features(cnf), GroupStatus.OK, None
            except ValueError:
                return {}, GroupStatus.TIMEOUT, None  # too large to build within a cheap budget
        if group == "cg":
            try:
                return clause_graph_features(cnf), GroupStatus.OK, None
            except ValueError:
                return {}, GroupStatus.TIMEOUT, None
        if group == "diameter":
            try:
                values, complete = diameter_features(cnf, deadline, seed)
            except ValueError:
                return {}, GroupStatus.TIMEOUT, None
            return values, GroupStatus.OK if complete else GroupStatus.TIMEOUT, None
        if group == "unit":
            return unit_probe(cnf, deadline, seed)
        if group == "ls":
            return local_search_probe(cnf, deadline, seed)
        raise KeyError(group)
