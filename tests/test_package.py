"""Meta-tests: the public API resolves and every subpackage has its mirrored tests folder."""

import argparse
import importlib
import pkgutil
from pathlib import Path

import pytest

import algoconf

ROOT = Path(__file__).resolve().parents[1]


def test_public_api_resolves():
    for name in algoconf.__all__:
        assert hasattr(algoconf, name), name


def test_every_subpackage_all_resolves():
    for info in pkgutil.walk_packages(algoconf.__path__, "algoconf."):
        if not info.ispkg:
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", []):
            assert hasattr(module, name), f"{info.name}.__all__ names missing {name}"


def test_every_subpackage_with_code_has_tests():
    pkg_dir = ROOT / "algoconf"
    missing = []
    for sub in sorted(p for p in pkg_dir.iterdir() if (p / "__init__.py").exists()):
        modules = [m for m in sub.glob("*.py") if m.name != "__init__.py"]
        if not modules or sub.name in ("cli", "testing"):
            continue
        if not (ROOT / "tests" / f"test_{sub.name}").is_dir():
            missing.append(sub.name)
    assert not missing, f"subpackages without tests/test_<name>/: {missing}"


def test_cli_help_lists_every_command_group(capsys):
    from algoconf.cli.main import COMMAND_MODULES, build_parser

    parser = build_parser()
    text = parser.format_help()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in COMMAND_MODULES:
        mod = importlib.import_module(name)
        assert hasattr(mod, "register"), name
        command = name.rsplit(".", 1)[1].removesuffix("_cmd")
        assert command in sub.choices, f"{name} registers no '{command}' command"
        assert command in text, f"'{command}' missing from algoconf --help"


@pytest.mark.parametrize("args", [["dac", "list", "--json"], ["space", "show", "runners/minisat/params.pcs"]])
def test_a_closed_stdout_ends_the_command_quietly(args):
    """``algoconf ... | head``: the reader is gone before the command writes; no traceback."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "algoconf", *args], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT, timeout=120)
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 141
