"""Instance features: CNF (SATzilla-style structure and probes), job-shop models via a SAT
encoding, computed in parallel through the executor with per-group caps, cached by content."""

from algoconf.features.base import FeatureExtractor, FeatureGroup, GroupResult, GroupStatus
from algoconf.features.cnf import CNFFeatures
from algoconf.features.compute import FeatureComputation, compute_features, get_extractor
from algoconf.features.jobshop import JobShopFeatures, order_encoding

__all__ = [
    "FeatureExtractor",
    "FeatureGroup",
    "GroupResult",
    "GroupStatus",
    "CNFFeatures",
    "JobShopFeatures",
    "order_encoding",
    "FeatureComputation",
    "compute_features",
    "get_extractor",
]
