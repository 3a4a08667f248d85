"""Every exception algoconf raises on purpose, in one place.

Rules (see docs/architecture.md):

* Bad *input* (a file the user wrote or pointed to) raises a subclass of :class:`InputError`, whose
  message names the file, the line (when there is one) and what was expected, and is raised before
  any target runs.
* A failing *target* is never an exception: it is a CRASHED / MEMOUT result (records.py).
* Messages tell the user what to do next.

Subpackages add their exception classes here, each with a one-line docstring.
"""

from __future__ import annotations

from pathlib import Path


class AlgoconfError(Exception):
    """Base class of every error algoconf raises on purpose."""


class MissingExtraError(AlgoconfError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""


class InputError(AlgoconfError, ValueError):
    """Bad user input: a file, a value or an option. Carries the file and line when known.

    ``str(err)`` is ``"<file>:<line>: <message>"`` (or ``"<file>: <message>"`` without a line, or just
    the message when no file is involved), which is what the CLI prints before exiting with code 2.
    """

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None):
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        if self.file is None:
            return self.message
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"

    def __reduce__(self):  # keep file/line when pickled across processes
        return (_rebuild_input_error, (type(self), self.message, self.file, self.line))


def _rebuild_input_error(cls, message, file, line):
    return cls(message, file=file, line=line)


# --- configuration spaces -------------------------------------------------------------------------
class SpaceError(InputError):
    """A parameter file (PCS, irace, JSON) or a configuration does not describe a valid space."""


class ConfigurationError(InputError):
    """A configuration is not valid in its space (unknown name, value out of range, inactive, forbidden)."""


# --- scenarios, instances, features ---------------------------------------------------------------
class ScenarioError(InputError):
    """A scenario file (YAML or AClib scenario.txt) is invalid."""


class InstanceError(InputError):
    """An instance list or generator is invalid (missing file, duplicate, bad token)."""


class CNFFormatError(InputError):
    """A DIMACS CNF file is malformed (header, literal range, clause count, terminating 0)."""


class FeatureFileError(InputError):
    """A feature (or feature cost) table is invalid (ragged row, NaN, unknown or missing instance)."""


# --- algorithm selection --------------------------------------------------------------------------
class ASlibFormatError(InputError):
    """An ASlib scenario directory or one of its files (description.txt, *.arff) is invalid."""


class SelectionInputError(InputError):
    """Performance data, a selector option or a saved selector model cannot be used as given."""


# --- simulation -----------------------------------------------------------------------------------
class MatrixError(InputError):
    """A runtime matrix (.npz) is missing or malformed, or does not fit the scenario it should answer."""


# --- run history ----------------------------------------------------------------------------------
class HistoryError(AlgoconfError):
    """The run history cannot be used."""


class ScenarioMismatchError(HistoryError):
    """A run directory holds a history of a different scenario; the message shows the difference."""


class CorruptHistoryError(HistoryError, InputError):
    """The history file is damaged beyond the last committed transaction, or is not a history (exit code 2)."""


class RunDirectoryBusyError(InputError):
    """Another process is writing to this run directory (its lock is held); the message names its PID."""


# --- execution --------------------------------------------------------------------------------------
class ExecutionError(AlgoconfError):
    """The execution layer itself failed (not a target: a target failure is a CRASHED result)."""


class LimitNotEnforceableError(ExecutionError):
    """A requested resource limit cannot be enforced on this platform (raised when an executor is built)."""


class TargetError(InputError):
    """A target definition (command template, python callable, runner name) is invalid."""


class RunAborted(AlgoconfError):
    """The run was stopped on purpose (crash policy 'abort', failure-rate stop); it can be resumed."""


class FailureRateExceeded(RunAborted):
    """Too many target runs failed; the run stopped cleanly and can be resumed after fixing the target."""


# --- dynamic algorithm configuration ----------------------------------------------------------------
class DACError(InputError):
    """A DAC benchmark id, option, instance name, action or policy is invalid."""


class PolicyFileError(DACError):
    """A saved DAC policy file (JSON) is invalid or belongs to another benchmark."""
