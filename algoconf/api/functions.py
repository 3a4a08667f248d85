"""The user's Python function as a target: a picklable reference a child process can call.

A function defined in the running script (``__main__``) cannot be pickled by reference (the child's
``__main__`` is algoconf's worker), so :class:`UserFunction` keeps the script's path and the
function's qualified name, and the child imports the script by path under another module name
(once per child). Everything above the ``algoconf.configure(...)`` call runs again in each child;
the call itself, reached during that import, stops the import there (:class:`ScriptStopped`), so a
script needs no ``if __name__ == "__main__":`` guard. A function of an importable module is
referenced by module name instead.

Calls: ``func(config)``, ``func(config, instance)``, plus ``seed=`` / ``cutoff=`` when the function
has parameters of those names. ``instance`` is the string the user listed (an instance name or a
path), not an :class:`~algoconf.instances.Instance`.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from algoconf.errors import TargetError

__all__ = ["UserFunction", "ScriptStopped", "loading_script", "user_function"]

_SCRIPT_MODULE = "__algoconf_script__"
_SCRIPTS: dict[str, ModuleType] = {}
_LOADING = [False]


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
    """A reference to the user's function and how to call it (picklable; see module docstring)."""

    qualname: str
    module: str | None = None  # importable module name
    script: str | None = None  # or the path of the script that defines it
    takes_instance: bool = True
    keywords: tuple[str, ...] = ()  # of "seed", "cutoff"

    @property
    def label(self) -> str:
        """``module:function`` or ``script.py:function``."""
        return f"{self.module or Path(self.script or '?').name}:{self.qualname}"

    def resolve(self) -> Callable[..., Any]:
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
    """The :class:`UserFunction` for ``func``; TargetError for one a child cannot reach."""
    if not callable(func):
        raise TargetError(f"expected a function, got {func!r}")
    qualname = getattr(func, "__qualname__", "")
    module = getattr(func, "__module__", None)
    if not qualname or "<" in qualname or module is None:
        raise TargetError(f"{func!r} is a lambda or a nested function, which a child process cannot import; "
                          "define it at the top level of a module or script")
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        raise TargetError(f"cannot read the parameters of {func!r}") from None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.name not in ("seed", "cutoff")]
    if not positional and not any(p.kind is p.VAR_POSITIONAL for p in params):
        raise TargetError(f"{qualname} must take the configuration as its first argument: def {qualname}(config, ...)")
    takes_instance = len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params)
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in params)
    keywords = tuple(k for k in ("seed", "cutoff") if accepts_any or any(p.name == k for p in params))
    if module == "__main__":
        main = sys.modules.get("__main__")
        path = getattr(main, "__file__", None)
        if not path:
            raise TargetError(f"{qualname} is defined in an interactive session, which a child process cannot "
                              "import; define it in a .py file (a script or a module)")
        return UserFunction(qualname, script=str(Path(path).resolve()), takes_instance=takes_instance,
                            keywords=keywords)
    if module == _SCRIPT_MODULE:  # already inside a child that imported the script
        return UserFunction(qualname, script=str(Path(sys.modules[module].__file__ or "").resolve()),
                            takes_instance=takes_instance, keywords=keywords)
    return UserFunction(qualname, module=module, takes_instance=takes_instance, keywords=keywords)
