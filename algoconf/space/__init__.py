"""Configuration spaces: ConfigSpace as the model, our own readers and writers for PCS (old and new
syntax), irace parameter files and ConfigSpace JSON, and configurations as plain dicts of their
active values with a canonical key.

See docs/spaces.md for the formats, the semantics of conditions and forbidden clauses, and errors.
"""

from algoconf.space.configspace_dag import install as _install_linear_dag

_install_linear_dag()  # ConfigSpace 1.2's condition bookkeeping is exponential in chain depth

from algoconf.space.configs import (  # noqa: E402
    active_config,
    default_config,
    neighbours,
    sample_configs,
    space_config_key,
)
from algoconf.space.describe import describe_space  # noqa: E402
from algoconf.space.files import (  # noqa: E402
    FORMATS,
    detect_format,
    parse_space,
    read_space,
    space_to_text,
    write_space,
)

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
