"""The user's Python function as a target: a picklable record a child process can call.

A function a child can import by name is sent by reference: a function of an importable module by
module name, and a function of the running script (``__main__`` run from a ``.py`` file) by the
script's path and the function's qualified name; the child imports the script by path under another
module name (once per child). Everything above the ``algoconf.configure(...)`` call runs again in
each child; the call itself, reached during that import, stops the import there
(:class:`ScriptStopped`), so a script needs no ``if __name__ == "__main__":`` guard.

Any other callable is sent by value, serialised with `cloudpickle`: a function typed at an
interactive prompt (``python -c``, stdin, the REPL, a Jupyter notebook), a lambda, a nested function
or closure (with the values it captured), a ``functools.partial``, a bound method or a callable
object. The bytes live only in the :class:`UserFunction` record the executor sends to its worker
children (never in the run directory); nothing of the user's code runs again to rebuild the function.
A callable cloudpickle cannot serialise (it holds a lock, an open file or socket) is a
:class:`~algoconf.errors.TargetError` when the record is made, before any run.

:attr:`UserFunction.label` (``module:function``, ``script.py:function``, ``__main__:function`` for
an interactive one, ``module:outer.<locals>.inner``, ``script.py:partial(cost)``) is what the run
directory records of the target: a human-readable name, not the code. A resume checks the label,
not the code (as for a function sent by reference, whose source may change between runs).

Calls: ``func(config)``, ``func(config, instance)``, plus ``seed=`` / ``cutoff=`` when the function
has parameters of those names. ``instance`` is the string the user listed (an instance name or a
path), not an :class:`~algoconf.instances.Instance`.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import pickle
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from algoconf.errors import TargetError

__all__ = ["UserFunction", "ScriptStopped", "loading_script", "user_function"]

_SCRIPT_MODULE = "__algoconf_script__"
_SCRIPTS: dict[str, ModuleType] = {}
_LOADING = [False]
_UNPICKLED: dict[bytes, Callable[..., Any]] = {}  # a child's functions sent by value, loaded once


class ScriptStopped(BaseException):
    """Raised by ``algoconf.configure`` (and friends) while a child imports the user's script.

    A BaseException, so that a script's ``except Exception`` does not swallow it.
    """


def loading_script() -> bool:
    """True while this process imports the user's script to find a target function in it."""
    return _LOADING[0]


def _load_script(path: str) -> ModuleType:
    module = _SCRIPTS.get(path)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(_SCRIPT_MODULE, path)
    if spec is None or spec.loader is None:
        raise TargetError(f"cannot import the script {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_SCRIPT_MODULE] = module
    _LOADING[0] = True
    try:
        spec.loader.exec_module(module)
    except ScriptStopped:
        pass  # the configure(...) call: everything it needs is defined above it
    finally:
        _LOADING[0] = False
    _SCRIPTS[path] = module
    return module


@dataclass(frozen=True)
class UserFunction:
    """The user's function and how to call it (picklable; see the module docstring).

    ``module`` / ``script`` say where the function is defined (``module="__main__"`` without a
    script: an interactive session). With ``by_value`` (cloudpickle bytes) the child loads the
    function from those bytes; otherwise it imports ``qualname`` from the module or the script.
    """

    qualname: str
    module: str | None = None  # module name
    script: str | None = None  # or the path of the script that defines it
    takes_instance: bool = True
    keywords: tuple[str, ...] = ()  # of "seed", "cutoff"
    by_value: bytes | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """``module:function`` or ``script.py:function``: what the run directory records."""
        return f"{Path(self.script).name if self.script else self.module or '?'}:{self.qualname}"

    @property
    def name(self) -> str:
        """The qualified name without ``<locals>`` and brackets, usable in a folder name."""
        name = self.qualname.replace("<locals>.", "")
        return re.sub(r"[^\w.]+", "-", name).strip("-.") or "function"

    def resolve(self) -> Callable[..., Any]:
        if self.by_value is not None:
            func = _UNPICKLED.get(self.by_value)
            if func is None:
                func = _UNPICKLED[self.by_value] = pickle.loads(self.by_value)  # cloudpickle's format
            return func
        owner: Any = _load_script(self.script) if self.script else importlib.import_module(self.module or "")
        for part in self.qualname.split("."):
            owner = getattr(owner, part)
        return owner

    def __call__(self, config: dict[str, Any], instance: Any, seed: int, cutoff: float | None) -> Any:
        func = self.resolve()
        args: list[Any] = [config]
        if self.takes_instance:
            args.append(None if instance is None or instance.name == NO_INSTANCE else instance.name)
        extra = {"seed": seed, "cutoff": cutoff}
        return func(*args, **{k: extra[k] for k in self.keywords})


#: the one instance of a run that was given no instances (the function is called without one)
NO_INSTANCE = "(no instance)"


def user_function(func: Callable[..., Any]) -> UserFunction:
    """The :class:`UserFunction` for ``func``: by reference when a child can import it by name, else
    by value; TargetError for a non-callable, a function without a configuration parameter, or one
    cloudpickle cannot serialise."""
    if not callable(func):
        raise TargetError(f"expected a function, got {func!r}")
    module, script, qualname = _origin(func)
    where = Path(script).name if script else module
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        raise TargetError(f"cannot read the parameters of {where}:{qualname}") from None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.name not in ("seed", "cutoff")]
    if not positional and not any(p.kind is p.VAR_POSITIONAL for p in params):
        raise TargetError(f"{qualname} must take the configuration as its first argument: def {qualname}(config, ...)")
    takes_instance = len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params)
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in params)
    keywords = tuple(k for k in ("seed", "cutoff") if accepts_any or any(p.name == k for p in params))
    record = UserFunction(qualname, module=None if script else module, script=script,
                          takes_instance=takes_instance, keywords=keywords)
    if _importable_by_name(func, module, script, qualname):
        return record
    return UserFunction(qualname, module=module, script=script, takes_instance=takes_instance,
                        keywords=keywords, by_value=_pickled(func, record.label))


def _main_script() -> str | None:
    """The path of the running script, or None in an interactive session (``python -c``, stdin, the
    REPL, Jupyter, whose ``__main__`` is its launcher and not the notebook)."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if not path or not Path(path).is_file():
        return None
    return str(Path(path).resolve())


def _origin(func: Any) -> tuple[str, str | None, str]:
    """``(module, script path or None, qualified name)`` of ``func``, for the label."""
    if isinstance(func, functools.partial):
        module, script, inner = _origin(func.func)
        return module, script, f"partial({inner})"
    if inspect.isfunction(func) or inspect.ismethod(func) or inspect.isbuiltin(func) or inspect.isclass(func):
        qualname = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
        module = getattr(func, "__module__", None) or "?"
    else:  # a callable object
        qualname, module = f"{type(func).__qualname__} instance", type(func).__module__
    if module == _SCRIPT_MODULE:  # inside a child that imported the script
        return module, str(Path(sys.modules[module].__file__ or "").resolve()), qualname
    if module == "__main__":
        code = getattr(inspect.unwrap(getattr(func, "__func__", func)), "__code__", None)
        script = _main_script()
        if script is not None and (code is None or _same_file(code.co_filename, script)):
            return module, script, qualname
    return module, None, qualname


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):
        return False


def _importable_by_name(func: Any, module: str, script: str | None, qualname: str) -> bool:
    """True when a child reaches ``func`` itself by importing ``module`` (or ``script``) and walking
    ``qualname``: not for lambdas, nested functions, interactive ones, partials or objects."""
    if not (inspect.isfunction(func) or inspect.isclass(func)) or "<" in qualname:
        return False
    if module == "__main__":
        if script is None:
            return False
        owner: Any = sys.modules["__main__"]
    else:
        owner = sys.modules.get(module)
    for part in qualname.split("."):
        owner = getattr(owner, part, None)
    return owner is func


def _pickled(func: Any, label: str) -> bytes:
    """``func`` serialised by value; a one-line TargetError naming it and the cause when it cannot be
    (or its bytes do not load back)."""
    import cloudpickle

    try:
        data = cloudpickle.dumps(func)
        pickle.loads(data)
    except Exception as exc:  # any failure of the user's objects to pickle is the cause
        cause = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise TargetError(f"the function {label} cannot be sent to a worker process: {cause} "
                          "(a function sent by value must not hold locks, open files or sockets)") from None
    return data
