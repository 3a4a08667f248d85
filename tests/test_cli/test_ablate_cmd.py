"""`algoconf ablate RUNDIR` and `configure/validate --trajectory N` with real minisat runs, and the
report's ablation and fixed-set convergence sections (rendered in headless Chromium).

The run is a tiny minisat-3sat scenario (4 training instances of 150 variables, cutoff 0.5 s CPU)
tuned by random search for 8 runs with `--trajectory 2`. Its run.json then names a stand-in
incumbent with two changes from the default (luby off, rnd-freq 0.05), so the ablation path's length
is known; every ablation run is a real minisat run through the same executor and runners.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from algoconf.cli.main import main
from algoconf.space import active_config, default_config, read_space

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
BLUE = (31, 119, 180)  # the figures' incumbent colour (matplotlib C0); no CSS uses it
SPACE = REPO / "runners" / "minisat" / "params.pcs"
SCENARIO = """
name: minisat-ablation-tiny
target:
  runner: minisat
space: {space}
train:
  generator: "algoconf.instances.generators:random_ksat"
  n: 4
  seed: 1
  kwargs: {{variables: 150, ratio: 4.26}}
test:
  generator: "algoconf.instances.generators:random_ksat"
  n: 2
  seed: 2
  kwargs: {{variables: 150, ratio: 4.26}}
objective: runtime
cutoff: 0.5
time_kind: cpu
par_factor: 10
budget:
  runs: 8
memory_limit: 2048
seed: 5
"""

pytestmark = [pytest.mark.slow, pytest.mark.solver]


def _incumbent() -> dict:
    space = read_space(SPACE)
    values = dict(default_config(space))
    values.update({"luby": "off", "rnd-freq": 0.05})
    return active_config(space, values)


@pytest.fixture(scope="module")
def tuned_run(tmp_path_factory) -> Path:
    if shutil.which("minisat") is None:
        pytest.skip("minisat binary not installed (install.sh installs it)")
    root = tmp_path_factory.mktemp("ablate")
    scenario = root / "scenario.yaml"
    scenario.write_text(SCENARIO.format(space=SPACE))
    run_dir = root / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "algoconf", "configure", str(scenario), "--tuner", "random", "--out", str(run_dir),
         "--workers", "2", "--guard-pairs", "0", "--trajectory", "2", "--json"],
        capture_output=True, text=True, cwd=root, timeout=480,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["trajectory_costs"]["complete"] and len(data["trajectory_costs"]["pairs"]) == 2
    info = json.loads((run_dir / "run.json").read_text())
    info["outcome"]["incumbent"] = _incumbent()  # the stand-in incumbent (module docstring)
    (run_dir / "run.json").write_text(json.dumps(info))
    return run_dir


def _one_json(capsys) -> dict:
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, out
    return json.loads(out[0])


def test_ablate_walks_the_path_with_real_runs_and_a_rerun_resumes(tuned_run: Path, capsys):
    assert main(["ablate", str(tuned_run), "--instances", "3", "--workers", "2", "--json", "--no-progress"]) == 0
    data = _one_json(capsys)
    steps = data["steps"]
    assert data["complete"] and len(data["pairs"]) == 3
    assert steps[0]["parameter"] is None and {s["parameter"] for s in steps[1:]} == {"luby", "rnd-freq"}
    assert steps[-1]["config"] == _incumbent()
    # the default, 2 candidates in step 1, the incumbent in step 2, on 3 pairs; the default's runs on the
    # trajectory's 2 pairs (the same fixed pairs) came from the analyses' history
    assert data["runs"]["new"] + data["runs"]["reused"] == 12 and data["runs"]["reused"] >= 2
    for s in steps:  # a cost on 3 pairs: real runtimes (> 0) or timeouts at 10 x 0.5 s
        assert 0 < s["cost"] <= 5.0
    if (data["total_improvement"] or 0) > 0:  # shares exist only when the incumbent is better there
        assert sum(s["share"] for s in steps[1:]) == pytest.approx(1.0)
    assert json.loads((tuned_run / "ablation.json").read_text())["steps"] == steps

    assert main(["ablate", str(tuned_run), "--instances", "3", "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"step\s+parameter\s+value\s+PAR10\s+improvement\s+share", text)
    assert "(default)" in text and "luby" in text and "rnd-freq" in text
    assert "runs: 0 new, 12 from the history" in text or "no shares" in text


def test_bad_input_is_one_line_and_exit_2_before_any_run(tuned_run: Path, tmp_path: Path, capsys):
    default_run = tmp_path / "default"
    shutil.copytree(tuned_run, default_run, ignore=shutil.ignore_patterns("analysis", "ablation.json", ".lock"))
    info = json.loads((default_run / "run.json").read_text())
    info["outcome"]["incumbent"] = default_config(read_space(SPACE))
    (default_run / "run.json").write_text(json.dumps(info))
    cases = [([str(tmp_path / "nothing")], "not a folder"),
             ([str(tmp_path)], "no run.json"),
             ([str(default_run)], "nothing to ablate"),
             ([str(tuned_run), "--instances", "0"], "--instances must be at least 1"),
             ([str(tuned_run), "--instances", "-2"], "--instances must be at least 1"),
             ([str(tuned_run), "--workers", "0"], "--workers"),
             ([str(tuned_run), "--budget", "-1"], "--budget")]
    for args, message in cases:
        assert main(["ablate", *args]) == 2, args
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0], (args, err)
    assert not (default_run / "analysis").exists()


def test_a_spent_budget_writes_the_path_so_far_and_a_rerun_finishes_it(tuned_run: Path, tmp_path: Path, capsys):
    run = tmp_path / "budget"
    shutil.copytree(tuned_run, run, ignore=shutil.ignore_patterns("analysis", "ablation.json", ".lock"))
    assert main(["ablate", str(run), "--instances", "3", "--budget", "0.05", "--json", "--no-progress"]) == 0
    first = _one_json(capsys)
    assert not first["complete"] and len(first["steps"]) <= 1
    assert main(["ablate", str(run), "--instances", "3", "--workers", "2", "--json", "--no-progress"]) == 0
    second = _one_json(capsys)
    assert second["complete"] and len(second["steps"]) == 3


def test_the_report_shows_the_ablation_and_the_fixed_set_convergence(tuned_run: Path, tmp_path: Path):
    from algoconf.analysis.report import build_report

    if not (tuned_run / "ablation.json").is_file():
        assert main(["ablate", str(tuned_run), "--instances", "3", "--no-progress"]) == 0
    report = build_report(tuned_run, tmp_path / "report.html")
    html = report.html.read_text()
    names = [p.name for p in report.figures]
    assert "report-ablation.png" in names and "report-convergence-fixed.png" in names
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html.split('id="ablation"')[1].split("</table>")[0])
    assert len(rows) == 1 + 3  # header, the default, two changes
    assert report.summary["ablation"]["complete"] and len(report.summary["ablation"]["steps"]) == 3
    assert report.summary["trajectory_costs"]["pairs"] == 2
    if CHROMIUM.exists():
        _check_ablation_figure_is_drawn(report.html, tmp_path)


def _check_ablation_figure_is_drawn(html: Path, tmp_path: Path) -> None:
    """Headless Chromium draws the ablation figure: removing only that image removes its blue pixels."""
    import tempfile

    import numpy as np
    from PIL import Image

    def shot(page: Path) -> np.ndarray:
        png = page.with_suffix(".png")
        with tempfile.TemporaryDirectory() as profile:
            proc = subprocess.run(
                [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", f"--screenshot={png}", "--window-size=1280,12000", f"file://{page}"],
                capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0 and png.is_file(), proc.stderr[-2000:]
        img = np.asarray(Image.open(png).convert("RGB")).astype(int)
        return int((np.abs(img - np.array(BLUE)).max(axis=2) <= 2).sum())

    text = html.read_text()
    full = shot(html)
    bare = tmp_path / "no-ablation.html"
    bare.write_text(re.sub(r'<img alt="ablation" src="data:image/png;base64,[^"]*"', '<img alt="ablation" src=""', text))
    assert bare.read_text() != text, "the ablation figure was not found in the page"
    without = shot(bare)
    assert full - without > 1000, (full, without)


def test_validate_trajectory_reuses_the_fixed_pair_runs_and_refuses_a_negative_n(tuned_run: Path, tmp_path: Path,
                                                                                capsys):
    run = tmp_path / "validate"
    shutil.copytree(tuned_run, run, ignore=shutil.ignore_patterns(".lock"))
    assert main(["validate", str(run), "--trajectory", "-1"]) == 2
    assert "--trajectory must be at least 0" in capsys.readouterr().err
    before = json.loads((run / "trajectory_costs.json").read_text())
    assert main(["validate", str(run), "--trajectory", "2", "--json", "--no-progress"]) == 0
    data = _one_json(capsys)["trajectory_costs"]
    # the same 2 pairs as configure --trajectory 2 used: the incumbents measured then are not run again
    # (real runtimes would differ), and the stand-in incumbent run.json now returns comes last; its 2 runs
    # are new unless the ablation made them already
    assert data["pairs"] == before["pairs"]
    known = {p["config_key"]: p["cost"] for p in before["points"]}
    assert {p["config_key"]: p["cost"] for p in data["points"] if p["config_key"] in known} == known
    assert data["points"][-1]["returned"] and data["points"][-1]["config_key"] not in known
    assert data["runs"]["new"] in (0, 2)
