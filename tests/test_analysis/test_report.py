"""The HTML report of a real `algoconf configure` run on minisat, rendered and screenshotted.

The run is a tiny minisat-3sat scenario (4 training, 8 test instances, cutoff 0.3 s CPU so that
some runs time out) tuned by random search for 10 runs: about 10-30 s on two busy cores.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from algoconf.analysis.report import build_report
from algoconf.errors import InputError

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BLUE = (31, 119, 180)  # the incumbent's colour in every figure (matplotlib C0); not used by the page's CSS
TABLE_HEAD = (238, 243, 248)  # th background

SCENARIO = """
name: minisat-3sat-tiny
target:
  runner: minisat
space: {space}
train:
  generator: "algoconf.instances.generators:random_ksat"
  n: 4
  seed: 1
  kwargs: {{variables: 225, ratio: 4.26}}
test:
  generator: "algoconf.instances.generators:random_ksat"
  n: 8
  seed: 2
  kwargs: {{variables: 225, ratio: 4.26}}
objective: runtime
cutoff: 0.3
time_kind: cpu
par_factor: 10
budget:
  runs: 10
memory_limit: 2048
seed: 3
"""


@pytest.fixture(scope="module")
def minisat_run(tmp_path_factory) -> Path:
    if shutil.which("minisat") is None:
        pytest.skip("minisat binary not installed (install.sh installs it)")
    root = tmp_path_factory.mktemp("minisat-run")
    scenario = root / "scenario.yaml"
    scenario.write_text(SCENARIO.format(space=REPO / "runners" / "minisat" / "params.pcs"))
    run_dir = root / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "algoconf", "configure", str(scenario), "--tuner", "random", "--out", str(run_dir),
         "--workers", "2", "--json"],
        capture_output=True, text=True, cwd=root, timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (run_dir / "validation.json").is_file()
    return run_dir


@pytest.fixture(scope="module")
def minisat_report(minisat_run: Path, tmp_path_factory):
    return build_report(minisat_run, tmp_path_factory.mktemp("report") / "report.html")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.links: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id", f"table{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "img":
            self.images.append(a.get("src", ""))
        for key in ("href", "src"):
            if key in a and tag != "img":
                self.links.append(a[key])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _parse(path: Path) -> _Collect:
    p = _Collect()
    p.feed(path.read_text())
    return p


@pytest.mark.slow
def test_report_of_a_real_minisat_run_holds_the_tables_and_embedded_figures(minisat_run: Path, minisat_report):
    report = minisat_report
    page = _parse(report.html)
    validation = json.loads((minisat_run / "validation.json").read_text())

    # the validation table says what validation.json says, with "≥" exactly where a mean is a bound
    rows = {r[0]: r for r in page.tables["validation"][1:]}
    assert page.tables["validation"][0][:4] == ["configuration", "solved", "PAR10", "mean runtime [s]"]
    for name in ("default", "incumbent"):
        s = validation[name]
        assert rows[name][1] == f"{s['solved']}/{s['n']}"
        assert float(rows[name][2]) == pytest.approx(s["par"], rel=1e-3)
        assert rows[name][3].startswith("≥") == (not s["mean_runtime_exact"])
    assert any(not validation[n]["mean_runtime_exact"] for n in ("default", "incumbent")), \
        "the 0.3 s cutoff should censor some test runs"

    # the parameter table lists every default parameter; a changed value is highlighted
    params = page.tables["parameters"]
    assert params[0][:3] == ["parameter", "default", "incumbent"]
    html = report.html.read_text()
    changed = [r for r in params[1:] if r[1] != r[2]]
    assert len(re.findall(r'<tr class="changed">', html)) == len(changed)
    summary = dict((r[0], r[1]) for r in page.tables["summary"])
    assert summary["tuner"] == "random" and summary["cutoff"].startswith("0.3 s")

    # figures: embedded PNGs, identical to the files written beside the page; nothing fetched
    assert [p.name for p in report.figures][:3] == ["report-scatter.png", "report-ecdf.png", "report-convergence.png"]
    assert len(page.images) == len(report.figures)
    for src, path in zip(page.images, report.figures):
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png.startswith(PNG_MAGIC) and png == path.read_bytes()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "<script" not in html


def test_report_lists_every_configuration_tried_with_its_runs(minisat_run: Path, minisat_report):
    from algoconf.history import RunHistory

    with RunHistory.open(minisat_run) as history:
        results = history.results()
    page = _parse(minisat_report.html)
    table = page.tables["configurations"]
    assert table[0][1:5] == ["configuration", "runs", "instances", "mean PAR10 [s]"]
    rows = table[1:]
    keys = {r.request.config_key for r in results}
    assert {row[1] for row in rows} == keys and len(rows) == len(keys)
    assert sum(int(row[2]) for row in rows) == len(results)
    assert [int(row[2]) for row in rows] == sorted((int(row[2]) for row in rows), reverse=True)
    incumbent = json.loads((minisat_run / "run.json").read_text())["outcome"]["incumbent_key"]
    assert [row[0] for row in rows if row[1] == incumbent] == ["incumbent"]
    assert minisat_report.summary["configurations"] == len(keys)


@pytest.mark.slow
def test_report_cli_prints_one_json_object(minisat_run: Path, tmp_path: Path, capsys):
    from algoconf.cli.main import main

    out = tmp_path / "r.html"
    assert main(["report", str(minisat_run), "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "configuration" and data["html"] == str(out) and out.is_file()
    assert data["runs"] == 10
    assert data["validation"]["speedup"] == pytest.approx(
        json.loads((minisat_run / "validation.json").read_text())["speedup"])


def test_report_of_a_folder_without_a_run_is_an_input_error(tmp_path: Path, capsys):
    from algoconf.cli.main import main

    with pytest.raises(InputError, match="not a run directory"):
        build_report(tmp_path)
    assert main(["report", str(tmp_path)]) == 2
    assert "not a run directory" in capsys.readouterr().err


def _screenshot(html: Path, png: Path) -> np.ndarray:
    from PIL import Image

    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", f"--screenshot={png}", "--window-size=1280,4000", f"file://{html}"],
            capture_output=True, text=True, timeout=120,
        )
    assert proc.returncode == 0 and png.is_file(), proc.stderr[-2000:]
    return np.asarray(Image.open(png).convert("RGB")).astype(int)


def _count(img: np.ndarray, rgb: tuple[int, int, int], tol: int = 2) -> int:
    return int((np.abs(img - np.array(rgb)).max(axis=2) <= tol).sum())


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium absent (install.sh installs the Debian package)")
def test_report_renders_its_figures_and_tables_in_headless_chromium(minisat_report, tmp_path: Path):
    report = minisat_report
    shot = _screenshot(report.html, tmp_path / "shot.png")
    assert shot.shape[:2] == (4000, 1280)
    grey = shot.mean(axis=2)
    assert grey.std() > 20, "the screenshot is (nearly) blank"
    # tables: their header cells are drawn
    assert _count(shot, TABLE_HEAD) > 3000
    # figures: the incumbent's curves and points are drawn in the figure colour, which no CSS uses
    blue = _count(shot, BLUE)
    assert blue > 1500, blue

    # control: the same page with its images removed has no figure pixels, so the check can fail
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r'src="data:image/png;base64,[^"]*"', 'src=""', report.html.read_text()))
    control = _screenshot(bare, tmp_path / "bare.png")
    assert _count(control, BLUE) < blue / 20
    assert _count(control, TABLE_HEAD) > 3000


@pytest.mark.slow
def test_an_unvalidated_run_says_so_and_draws_its_training_runs(minisat_run: Path, tmp_path: Path):
    run = tmp_path / "run"
    shutil.copytree(minisat_run, run)
    (run / "validation.json").unlink()
    report = build_report(run)
    assert [p.name for p in report.figures] == ["report-ecdf.png", "report-convergence.png"]
    html = report.html.read_text()
    assert "Not validated" in html and "training runs (no validation yet)" in html
    assert 'id="validation"' not in html and "validation" not in report.summary


@pytest.mark.slow
def test_an_interrupted_run_without_run_json_is_still_a_configuration_report(minisat_run: Path, tmp_path: Path):
    run = tmp_path / "interrupted"
    run.mkdir()
    shutil.copy(minisat_run / "history.sqlite", run / "history.sqlite")
    report = build_report(run)
    assert report.kind == "configuration"
    assert report.summary["incumbent_key"] == report.summary["replayed_incumbent_key"] is not None
    summary = dict((r[0], r[1]) for r in _parse(report.html).tables["summary"])
    assert summary["tuner"] == "random" and summary["state"].startswith("no run.json")


BANNER = (192, 38, 45)  # the warning banner's background (.warning in report_html.py); no figure uses it


def _with_validation(minisat_run: Path, tmp_path: Path, name: str, worse: bool) -> Path:
    """A copy of the run whose validation says the incumbent is worse (or better) than the default."""
    run = tmp_path / name
    shutil.copytree(minisat_run, run)
    v = json.loads((run / "validation.json").read_text())
    base = float(v["default"]["par"])
    v["incumbent"]["par"] = base * 1.5 + 1.0 if worse else base / 2
    v["incumbent"]["config_key"] = "feedfacefeedface"  # not the default, whatever the run's guard decided
    v["incumbent_worse_than_default"] = worse
    (run / "validation.json").write_text(json.dumps(v))
    return run


@pytest.mark.slow
def test_a_worse_incumbent_gets_a_warning_banner_and_the_guard_verdict_is_shown(minisat_run: Path, tmp_path: Path):
    worse = build_report(_with_validation(minisat_run, tmp_path, "worse", True))
    better = build_report(_with_validation(minisat_run, tmp_path, "better", False))
    html = worse.html.read_text()
    assert html.count('class="warning"') == 1 and "worse than the default" in html and "Use the default" in html
    assert worse.summary["incumbent_worse_than_default"] is True
    assert 'class="warning"' not in better.html.read_text()
    assert better.summary["incumbent_worse_than_default"] is False
    # the guard's verdict (configure ran with the guard) is a table of the page and in the summary
    guard = dict((r[0], r[1]) for r in _parse(worse.html).tables["guard"])
    assert guard["verdict"] == worse.summary["guard"]["verdict"]
    assert guard["pairs compared / needed"].endswith("/ 4")  # 4 training instances < 5 pairs


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium absent (install.sh installs the Debian package)")
def test_the_warning_banner_is_drawn_in_headless_chromium(minisat_run: Path, tmp_path: Path):
    worse = build_report(_with_validation(minisat_run, tmp_path, "worse", True))
    better = build_report(_with_validation(minisat_run, tmp_path, "better", False))
    red = _count(_screenshot(worse.html, tmp_path / "worse.png"), BANNER)
    assert red > 20000, red  # a full-width bar under the title
    assert _count(_screenshot(better.html, tmp_path / "better.png"), BANNER) < red / 100
