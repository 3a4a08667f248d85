"""Output parsers: strategy objects reading a finished run's output into an :class:`Answer`.

Documented statuses (a parser only sees runs that ended on their own; timeouts, stops and memouts
are classified by the executor's flags before a parser is asked):

* :class:`AClibParser` — the last ``Result of this algorithm run: ...`` line (also ``Result for
  SMAC:`` / ``Result for ParamILS:``). Old form ``STATUS, runtime, runlength, quality, seed[, extra]``;
  AClib2 form a JSON object ``{"status", "cost", "runtime", ...}``. SAT/UNSAT/SUCCESS -> SUCCESS,
  TIMEOUT -> TIMEOUT, CRASHED -> CRASHED, MEMOUT -> MEMOUT, ABORT -> ABORTED. No such line, an unknown
  status, a non-numeric or NaN number -> CRASHED (``info["reason"]`` says which).
* :class:`IraceParser` — the last non-empty stdout line ``cost [time]``. Missing, non-numeric, NaN,
  or more than two numbers -> CRASHED. A non-zero exit -> CRASHED.
* :class:`SatCompetitionParser` — ``s SATISFIABLE`` / ``s UNSATISFIABLE`` / ``s UNKNOWN`` lines, the
  bare ``SATISFIABLE`` / ``UNSATISFIABLE`` / ``INDETERMINATE`` lines of minisat, exit codes 10 / 20.
  A printed model (``v`` lines) is checked against the instance's CNF. A wrong model, an answer that
  contradicts ``instance.meta["answer"]``, output and exit code that disagree, or no answer -> CRASHED.
  UNKNOWN / INDETERMINATE (the solver gave up on its own limit) -> TIMEOUT.

Every parser rejects an answer contradicting a known ``instance.meta["answer"]`` ("SAT"/"UNSAT").
"""

from __future__ import annotations

import json
import math
import re
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Mapping

from algoconf.execution.limits import ProcessOutcome
from algoconf.records import RunRequest, Status
from algoconf.targets.base import Answer
from algoconf.targets.cnf_check import model_violation

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.instances import Instance

__all__ = [
    "OutputParser",
    "AClibParser",
    "IraceParser",
    "SatCompetitionParser",
    "OUTPUT_PARSERS",
    "known_answer",
]

_RESULT_LINE = re.compile(r"^\s*Result (?:of this algorithm run|for SMAC|for ParamILS)\s*:\s*(.*?)\s*$", re.M)

_ACLIB_STATUS = {
    "SAT": (Status.SUCCESS, "SAT"),
    "SATISFIABLE": (Status.SUCCESS, "SAT"),
    "UNSAT": (Status.SUCCESS, "UNSAT"),
    "UNSATISFIABLE": (Status.SUCCESS, "UNSAT"),
    "SUCCESS": (Status.SUCCESS, None),
    "TIMEOUT": (Status.TIMEOUT, None),
    "CRASHED": (Status.CRASHED, None),
    "CRASH": (Status.CRASHED, None),
    "MEMOUT": (Status.MEMOUT, None),
    "ABORT": (Status.ABORTED, None),
    "ABORTED": (Status.ABORTED, None),
}


def known_answer(instance: "Instance") -> str | None:
    """The instance's known answer as "SAT"/"UNSAT" (from ``meta["answer"]``), or None."""
    meta = getattr(instance, "meta", None) or {}
    value = meta.get("answer")
    if value is None:
        return None
    if isinstance(value, bool):
        return "SAT" if value else "UNSAT"
    text = str(value).strip().upper()
    return {"SAT": "SAT", "SATISFIABLE": "SAT", "UNSAT": "UNSAT", "UNSATISFIABLE": "UNSAT"}.get(text)


def _contradiction(answer: str | None, instance: "Instance") -> str | None:
    expected = known_answer(instance)
    if answer is not None and expected is not None and answer != expected:
        return f"wrong answer: {answer}, the instance is known to be {expected}"
    return None


def _number(text: Any, what: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {text!r} is not a number") from None
    if math.isnan(value):
        raise ValueError(f"{what} is NaN")
    return value


class OutputParser(ABC):
    """Reads a run's output into an :class:`Answer`. Stateless; instances may be shared by threads."""

    name: str = ""

    @abstractmethod
    def parse(self, outcome: ProcessOutcome, request: RunRequest, instance: "Instance") -> Answer:
        """Classify the output of a run that ended on its own."""


class AClibParser(OutputParser):
    """The AClib wrapper protocol, old comma form and AClib2 JSON form (see module docstring)."""

    name = "aclib"

    def parse(self, outcome: ProcessOutcome, request: RunRequest, instance: "Instance") -> Answer:
        lines = _RESULT_LINE.findall(outcome.stdout)
        if not lines:
            return Answer.crashed("no 'Result of this algorithm run:' line in the output")
        body = lines[-1]
        try:
            if body.startswith("{"):
                return self._json(body, instance)
            return self._old(body, instance)
        except ValueError as exc:
            return Answer.crashed(f"bad result line {body[:200]!r}: {exc}")

    def _status(self, word: str, instance: "Instance") -> tuple[Status, dict[str, Any]]:
        key = word.strip().upper()
        if key not in _ACLIB_STATUS:
            raise ValueError(f"unknown status {word!r}")
        status, sat_answer = _ACLIB_STATUS[key]
        info: dict[str, Any] = {"reported_status": key}
        if sat_answer is not None:
            info["answer"] = sat_answer
        wrong = _contradiction(sat_answer, instance)
        if wrong:
            return Status.CRASHED, {**info, "reason": wrong}
        return status, info

    def _old(self, body: str, instance: "Instance") -> Answer:
        fields = [f.strip() for f in body.split(",")]
        if len(fields) < 5:
            raise ValueError(f"expected 'STATUS, runtime, runlength, quality, seed', got {len(fields)} fields")
        status, info = self._status(fields[0], instance)
        runtime = _number(fields[1], "runtime")
        quality = _number(fields[3], "quality")
        if len(fields) > 5:
            info["additional"] = ",".join(fields[5:])
        return Answer(status, runtime=runtime, quality=quality, info=info)

    def _json(self, body: str, instance: "Instance") -> Answer:
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            raise ValueError(f"invalid JSON ({exc.msg})") from None
        if not isinstance(data, Mapping) or "status" not in data:
            raise ValueError("the JSON result needs a 'status' key")
        status, info = self._status(str(data["status"]), instance)
        runtime = _number(data["runtime"], "runtime") if data.get("runtime") is not None else None
        quality = _number(data["cost"], "cost") if data.get("cost") is not None else None
        if data.get("misc"):
            info["misc"] = str(data["misc"])[:500]
        return Answer(status, runtime=runtime, quality=quality, info=info)


class IraceParser(OutputParser):
    """irace's target-runner output: the last non-empty line is ``cost`` or ``cost time``."""

    name = "irace"

    def parse(self, outcome: ProcessOutcome, request: RunRequest, instance: "Instance") -> Answer:
        if outcome.exit_code != 0:
            return Answer.crashed(f"exit code {outcome.exit_code}, signal {outcome.signal}")
        lines = [ln for ln in outcome.stdout.splitlines() if ln.strip()]
        if not lines:
            return Answer.crashed("empty output: expected 'cost [time]'")
        tokens = lines[-1].split()
        if len(tokens) > 2:
            return Answer.crashed(f"expected 'cost [time]', got {lines[-1][:200]!r}")
        try:
            cost = _number(tokens[0], "cost")
            runtime = _number(tokens[1], "time") if len(tokens) == 2 else None
        except ValueError as exc:
            return Answer.crashed(f"{exc} in {lines[-1][:200]!r}")
        return Answer(Status.SUCCESS, runtime=runtime, quality=cost)


class SatCompetitionParser(OutputParser):
    """SAT solver conventions; ``check_model`` verifies printed ``v`` lines against the CNF."""

    name = "sat"
    _WORDS = {
        "SATISFIABLE": "SAT",
        "UNSATISFIABLE": "UNSAT",
        "UNKNOWN": "UNKNOWN",
        "INDETERMINATE": "UNKNOWN",
    }

    def __init__(self, check_model: bool = True):
        self.check_model = check_model

    def parse(self, outcome: ProcessOutcome, request: RunRequest, instance: "Instance") -> Answer:
        said: str | None = None
        literals: list[int] = []
        has_model = False
        for raw in outcome.stdout.splitlines():
            line = raw.strip()
            if line.startswith("s "):
                said = self._WORDS.get(line[2:].strip().upper(), said)
            elif line.upper() in self._WORDS:
                said = self._WORDS[line.upper()]
            elif line.startswith("v ") or line == "v":
                has_model = True
                try:
                    literals.extend(int(tok) for tok in line[1:].split())
                except ValueError:
                    return Answer.crashed(f"unreadable model line {line[:100]!r}")
        by_code = {10: "SAT", 20: "UNSAT"}.get(outcome.exit_code) if outcome.exit_code is not None else None
        info: dict[str, Any] = {}
        if said is not None and by_code is not None and said != by_code:
            return Answer.crashed(f"output says {said} but exit code {outcome.exit_code} says {by_code}")
        answer = said or by_code
        if answer is None:
            return Answer.crashed(f"no answer: no 's ...' line and exit code {outcome.exit_code}")
        if outcome.exit_code not in (0, 10, 20, None) and answer != "UNKNOWN":
            return Answer.crashed(f"answer {answer} with unexpected exit code {outcome.exit_code}")
        if answer == "UNKNOWN":
            return Answer(Status.TIMEOUT, info={"answer": "UNKNOWN", "reason": "the solver gave up (UNKNOWN)"})
        info["answer"] = answer
        wrong = _contradiction(answer, instance)
        if wrong:
            return Answer.crashed(wrong, answer=answer)
        path = getattr(instance, "path", None)
        if answer == "SAT" and self.check_model and has_model and path is not None:
            if outcome.stdout_truncated:
                info["model_checked"] = False
            else:
                problem = model_violation(path, literals)
                if problem:
                    return Answer.crashed(f"wrong model: {problem}", answer=answer)
                info["model_checked"] = True
        return Answer(Status.SUCCESS, info=info)


#: parser name -> class (constructed without arguments by targets built from a scenario)
OUTPUT_PARSERS: dict[str, type[OutputParser]] = {
    "aclib": AClibParser,
    "aclib2": AClibParser,
    "irace": IraceParser,
    "sat": SatCompetitionParser,
    "satcomp": SatCompetitionParser,
}
