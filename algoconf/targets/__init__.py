"""algoconf.targets: HOW one run happens (launch a process, read its answer)."""

from algoconf.targets.base import Answer, Launch, Target
from algoconf.targets.build import build_target
from algoconf.targets.command import SYNTAXES, CommandTarget, render_config
from algoconf.targets.parsers import (
    OUTPUT_PARSERS,
    AClibParser,
    IraceParser,
    OutputParser,
    SatCompetitionParser,
    known_answer,
)
from algoconf.targets.python import PythonTarget
from algoconf.targets.python_worker import PythonWorker

__all__ = [
    "Answer",
    "Launch",
    "Target",
    "build_target",
    "SYNTAXES",
    "CommandTarget",
    "render_config",
    "OUTPUT_PARSERS",
    "AClibParser",
    "IraceParser",
    "OutputParser",
    "SatCompetitionParser",
    "known_answer",
    "PythonTarget",
    "PythonWorker",
]
