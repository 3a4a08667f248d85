"""Configuration spaces: ConfigSpace as the model, our own readers and writers for PCS (old and new
syntax), irace parameter files and ConfigSpace JSON, and configurations as plain dicts of their
active values with a canonical key.

See docs/spaces.md for the formats, the semantics of conditions and forbidden clauses, and errors.
"""

from algoconf.space.configs import (
    active_config,
    default_config,
    neighbours,
    sample_configs,
    space_config_key,
)
from algoconf.space.describe import describe_space
from algoconf.space.files import FORMATS, detect_format, parse_space, read_space, space_to_text, write_space

__all__ = [
    "FORMATS",
    "read_space",
    "parse_space",
    "space_to_text",
    "write_space",
    "detect_format",
    "active_config",
    "space_config_key",
    "default_config",
    "sample_configs",
    "neighbours",
    "describe_space",
]
