"""Problem instances: instance sets and feature tables (``sets.py``), the one DIMACS reader/writer
(``dimacs.py``) and seeded instance generators (``generators/``)."""

from algoconf.instances.sets import (
    MISSING_MARKERS,
    FeatureTable,
    Instance,
    InstanceSet,
    generator_spec_hash,
    read_feature_file,
    read_instance_list,
)

__all__ = [
    "Instance",
    "InstanceSet",
    "FeatureTable",
    "MISSING_MARKERS",
    "read_instance_list",
    "read_feature_file",
    "generator_spec_hash",
]
