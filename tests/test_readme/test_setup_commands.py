"""The README's two set-up commands, as written, on the operating system's Python.

A fresh copy of the committed checkout (``git archive HEAD``) gets the README's two ``./install.sh
&& ...`` commands with ``/usr/bin:/bin`` as PATH and no active environment: on Debian 12 / Ubuntu
24.04 ``/usr/bin/python3`` is externally managed (PEP 668), so this is the path a user of a stock
machine takes, and the one CI checks.

Costly: a new virtual environment (about 80 s from this machine's pip cache and local package
mirror), the configure command's 120 s budget and its validation. It runs in CI (``CI`` set) or with
``ALGOCONF_TEST_FRESH_INSTALL=1`` and skips otherwise. The test command runs as written with a test
selection appended (the whole suite would run this test again, and take minutes).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OS_PYTHON = Path("/usr/bin/python3")

only_in_ci = pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("ALGOCONF_TEST_FRESH_INSTALL")),
    reason="runs in CI or with ALGOCONF_TEST_FRESH_INSTALL=1 (a fresh install: minutes)")


def readme_setup_commands() -> list[str]:
    """The README's fenced shell commands that start with ``./install.sh``, in order."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", (REPO / "README.md").read_text(), flags=re.M | re.S)
    return [b.strip() for b in blocks if b.startswith("./install.sh")]


def test_readme_has_the_two_setup_commands():
    commands = readme_setup_commands()
    assert len(commands) == 2, commands
    assert ".venv/bin/algoconf configure" in commands[0]
    assert commands[1] == "./install.sh && .venv/bin/python -m pytest -q"


def _fresh_copy(dest: Path) -> Path:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs a git checkout (the copy is the committed tree, git archive HEAD)")
    tar = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", "HEAD"],
                         check=True, capture_output=True).stdout
    root = dest / "algoconf"
    root.mkdir()
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(root, filter="data")
    return root


def _os_python_env() -> dict[str, str]:
    """This process's environment with the OS's python3 first and no active environment."""
    drop = ("VIRTUAL_ENV", "CONDA_", "PYTHONPATH", "PYTHONHOME", "PYENV", "PYTEST_", "_OLD_VIRTUAL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PATH"] = "/usr/bin:/bin"
    return env


@pytest.mark.slow
@only_in_ci
@pytest.mark.timeout(2400)
def test_readme_commands_work_on_the_os_python(tmp_path):
    if not OS_PYTHON.is_file():
        pytest.skip("no /usr/bin/python3 on this machine")
    version = subprocess.run([str(OS_PYTHON), "-c", "import sys; print(sys.version_info >= (3, 10))"],
                             capture_output=True, text=True).stdout.strip()
    if version != "True":
        pytest.skip("/usr/bin/python3 is older than 3.10")
    root = _fresh_copy(tmp_path)
    env = _os_python_env()
    configure, test = readme_setup_commands()

    done = subprocess.run(["bash", "-c", configure], cwd=root, env=env, capture_output=True, text=True,
                          timeout=1500)
    assert done.returncode == 0, done.stderr[-3000:]
    # the package went into a virtual environment of the checkout made from the OS's python3
    cfg = (root / ".venv" / "pyvenv.cfg").read_text()
    assert re.search(r"^home = /usr/bin$", cfg, flags=re.M), cfg
    validation = json.loads((root / "runs" / "cpsat-jobshop" / "validation.json").read_text())
    assert validation, "validation.json is empty"

    selection = " tests/test_scenario/test_load.py tests/test_runners/test_run_cmd.py -p no:cacheprovider"
    done = subprocess.run(["bash", "-c", test + selection], cwd=root, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert re.search(r"\b\d+ passed\b", done.stdout), done.stdout[-2000:]
