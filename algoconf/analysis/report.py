"""One self-contained HTML report per run directory (``algoconf report RUNDIR``).

:func:`build_report` reads what a run left on disk (:mod:`algoconf.analysis.report_run`), draws the
figures (:mod:`algoconf.analysis.plots`), and writes

* ``<out>.html`` — one page, inline CSS, every figure embedded as a base64 PNG: it opens offline;
* ``<out-stem>-<figure>.png`` beside it — the same figures as files, for papers.

What a page holds depends on the run:

* **configuration run** (``algoconf configure``): scenario summary; incumbent parameters against the
  default (changed values highlighted); the validation table (solved, PAR-k, mean runtime with "≥"
  where the mean is only a lower bound, speed-up); default-vs-incumbent scatter; Kaplan–Meier
  runtime CDFs; convergence of the incumbent's cost over wall-clock and target CPU time (replayed
  from the history, :mod:`algoconf.analysis.report_trajectory`); runtime-distribution fits of the
  incumbent's test runtimes when at least :data:`MIN_EXACT_FOR_FIT` of them are exact; the table
  of every configuration tried (runs, instances, mean cost, its changes from the default; the
  :data:`MAX_CONFIG_ROWS` most-run ones); parameter importance (fANOVA over those configurations,
  :mod:`algoconf.analysis.importance`, with the ``[optuna]`` extra).
* **DAC policy search** (``algoconf dac search --run-dir``): summary, incumbent policy parameters vs
  the family's default, convergence of the training cost; return curves of any trace in the folder.
* **DAC evaluation trace** (``algoconf dac evaluate --trace``): return curves and episode returns.

* **offline selection results** (JSON of ``algoconf select evaluate --json`` saved to files, or a
  ``benchmarks/selection.py`` results file; :mod:`algoconf.analysis.report_selection`): gap-closed
  bars per scenario and selector, one figure per feature-cost convention, and the table behind them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from algoconf.analysis import plots
from algoconf.analysis.report_html import esc, figure_html, fmt, page_html, png_bytes, table_html
from algoconf.analysis.report_run import (
    ConfigurationRun,
    DACTrace,
    load_configuration_run,
    load_dac_trace,
    run_kind,
    trace_files,
)
from algoconf.analysis.report_selection import SelectionEntry, load_selection
from algoconf.analysis.ablation import AblationResult, cost_label as ablation_cost_label, load_ablation
from algoconf.analysis.report_trajectory import TrajectoryPoint, incumbent_trajectory
from algoconf.analysis.trajectory_costs import TrajectoryCosts, load_trajectory_costs
from algoconf.censored.kaplan_meier import samples_from_results
from algoconf.execution.equivalence import SHARED_FROM, spent_cpu
from algoconf.records import RunResult, config_key, mean_cost

__all__ = ["Report", "build_report", "MIN_EXACT_FOR_FIT"]

MIN_EXACT_FOR_FIT = 10
_MAX_INSTANCE_ROWS = 20


@dataclass(frozen=True)
class Report:
    """What :func:`build_report` wrote, and the numbers shown (``summary`` is JSON-ready)."""

    kind: str
    html: Path
    figures: tuple[Path, ...]
    summary: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "html": str(self.html), "figures": [str(p) for p in self.figures],
                **dict(self.summary)}


class _Page:
    """Collects sections and figures; writes the PNGs as they come."""

    def __init__(self, out: Path):
        self.out = out
        self.sections: list[tuple[str, str]] = []
        self.figures: list[Path] = []
        self.warnings: list[str] = []  # red banners under the title

    def add(self, heading: str, body: str) -> None:
        self.sections.append((heading, body))

    def figure(self, name: str, fig: Any, caption: str) -> str:
        png = png_bytes(fig)
        path = self.out.with_name(f"{self.out.stem}-{name}.png")
        path.write_bytes(png)
        self.figures.append(path)
        return figure_html(png, caption, alt=name)


def build_report(run_path: str | Path, out: str | Path | None = None) -> Report:
    """Write the report of ``run_path`` (a run directory or a DAC trace) to ``out``.

    ``out`` defaults to ``<run dir>/report.html`` (for a file: the file with ``.html``).
    Raises :class:`~algoconf.errors.InputError` when the path is not a run directory or trace.
    """
    path = Path(run_path)
    kind = run_kind(path)
    if out is None:
        out = path / "report.html" if path.is_dir() else path.with_suffix(".html")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    page = _Page(out)
    summary: dict[str, Any]
    if kind == "selection":
        summary = _selection_sections(page, load_selection(path))
        title, subtitle = "Algorithm selection", f"results from {path.resolve()}"
    elif kind == "dac-trace":
        traces = [path] if path.is_file() else trace_files(path)
        summary = {"traces": [_trace_section(page, load_dac_trace(t)) for t in traces]}
        title, subtitle = "DAC policy evaluation", ", ".join(str(t) for t in traces)
    else:
        run = load_configuration_run(path)
        summary = _run_sections(page, run)
        if kind == "dac-search":
            summary["traces"] = [_trace_section(page, load_dac_trace(t)) for t in trace_files(path)]
        title = f"{'Configuration run' if kind == 'configuration' else 'DAC policy search'}: {run.name}"
        subtitle = f"run directory {path.resolve()}"
    out.write_text(page_html(title, subtitle, page.sections, page.warnings))
    return Report(kind, out, tuple(page.figures), {"name": title, **summary})


# --- configuration runs and DAC searches ------------------------------------------------------------
def _run_sections(page: _Page, run: ConfigurationRun) -> dict[str, Any]:
    start = config_key(run.default) if run.default is not None else None
    points = incumbent_trajectory(run.results, run.cost, start)
    replayed = points[-1].config_key if points else None
    incumbent = run.incumbent
    if incumbent is None and replayed is not None:
        incumbent = run.configs.get(replayed)
    summary: dict[str, Any] = {"runs": len(run.results), "incumbent_key": config_key(incumbent) if incumbent else None,
                               "replayed_incumbent_key": replayed, "trajectory": len(points)}
    page.add("Scenario and run", _summary_table(run))
    page.add("Incumbent vs default", _parameter_table(run.default, incumbent, run.configs, replayed))
    guard = run.outcome.get("guard") if run.outcome else None
    if guard:
        summary["guard"] = dict(guard)
        page.add("Incumbent guard", _guard_section(guard))
    time_label = "CPU time" if run.time_kind == "cpu" else "wall-clock time"
    validation = run.validation
    worse = validation is not None and _worse(validation)
    summary["incumbent_worse_than_default"] = worse
    if validation is not None and worse:
        k = f"PAR{fmt(float(validation['par_factor']))}" if run.objective == "runtime" else "mean cost"
        page.warnings.append(
            f"Warning: the incumbent is worse than the default on the {validation['instances']} instances "
            f"({k} {fmt(float(validation['incumbent']['par']))} vs {fmt(float(validation['default']['par']))}). "
            "Use the default configuration.")
    if validation is not None:
        table, numbers = _validation_table(validation, run)
        summary["validation"] = numbers
        page.add("Validation", table)
    elif run.kind == "configuration":
        page.add("Validation", '<p class="note">Not validated (run <code>algoconf validate RUNDIR</code> to run '
                 "the default and the incumbent on the test instances).</p>")
    if run.objective == "runtime":
        figures: list[str] = []
        if validation is not None:
            rows = validation["rows"]
            figures.append(page.figure("scatter", plots.scatter_figure(rows, run.cutoff, time_label),
                                    f"Default vs incumbent {time_label} per {validation['instances']} instance "
                                    "(log-log); red crosses: a timeout, drawn on the dashed cutoff line."))
            samples = {name: _validation_samples(rows, name) for name in ("default", "incumbent")}
            where = f"{validation['instances']} instances, one run each"
        else:
            samples = _training_samples(run, incumbent)
            where = "training runs (no validation yet)"
        figures.append(page.figure("ecdf", plots.ecdf_figure(samples, run.cutoff, time_label,
                                                          f"runtime distribution over {where}"),
                                f"Kaplan–Meier estimate of the runtime CDF over {where}: censored runs count as "
                                "'still running' at their bound, so the curve stops where the data stops."))
        page.add("Runtimes", "".join(figures))
    elif validation is not None:
        page.add("Qualities", page.figure(
            "scatter", plots.quality_scatter_figure(validation["rows"], bool(run.settings.get("maximize"))),
            f"Default vs incumbent reported quality per {validation['instances']} instance."))
    fixed = load_trajectory_costs(run.path) if run.kind == "configuration" else None
    if points or fixed is not None:
        body = _convergence(page, run, points) if points else ""
        if fixed is not None:
            body_fixed, summary["trajectory_costs"] = _fixed_set_convergence(page, run, fixed)
            body += body_fixed
        page.add("Convergence", body)
    table, summary["configurations"] = _configurations_table(run, incumbent)
    page.add("Configurations tried", table)
    if run.kind == "configuration":
        body, summary["importance"] = _importance_section(page, run)
        page.add("Parameter importance", body)
        ablation = load_ablation(run.path)
        if ablation is not None:
            body, summary["ablation"] = _ablation_section(page, ablation, incumbent)
            page.add("Ablation", body)
        else:
            page.add("Ablation", '<p class="note">No ablation yet (run <code>algoconf ablate RUNDIR</code>: which '
                     "parameter changes carry the difference between the default and the incumbent, measured "
                     "with real runs).</p>")
    if run.objective == "runtime" and validation is not None:
        t, c = _validation_samples(validation["rows"], "incumbent")
        summary["rtd"] = _rtd_section(page, t, c, time_label)
    return summary


def _summary_table(run: ConfigurationRun) -> str:
    s, o = run.settings, run.outcome
    rows: list[tuple[str, Any]] = [("scenario", run.name)]
    if run.kind == "dac-search":
        rows += [("benchmark", s.get("dac_benchmark")), ("policy family", s.get("family")),
                 ("evaluation method", s.get("method")), ("episodes per run", s.get("episodes"))]
    rows += [("tuner", run.tuner), ("seed", run.seed), ("objective", run.objective)]
    if run.objective == "runtime":
        rows += [("cutoff", f"{fmt(run.cutoff)} s ({run.time_kind} time)"), ("PAR factor", fmt(run.par_factor))]
    target = s.get("target")
    if isinstance(target, Mapping):
        rows.append(("target", ", ".join(f"{k}={v}" for k, v in target.items())))
    train = s.get("train") or s.get("instances") or []
    rows.append(("training instances", len(train)))
    if run.default is not None:
        rows.append(("parameters (active in the default)", len(run.default)))
    rows += [("runs recorded", len(run.results)), ("configurations tried", len(run.configs)),
             ("target time used", f"{fmt(math.fsum(spent_cpu(r) for r in run.results))} s")]
    shared = sum(1 for r in run.results if SHARED_FROM in r.info)
    if shared:
        rows.append(("results shared by the equivalence cache (not run)", shared))
    if o:
        rows += [("wall-clock time", f"{fmt(float(o.get('wallclock', math.nan)))} s"),
                 ("stop reason", o.get("stop_reason")), ("resumed", o.get("resumed"))]
    elif run.kind == "configuration":
        rows.append(("state", "no run.json: interrupted or still running (incumbent replayed from the history)"))
    return table_html(None, rows, table_id="summary")


def _parameter_table(default: Mapping | None, incumbent: Mapping | None, configs: Mapping, replayed: str | None) -> str:
    if incumbent is None:
        return '<p class="note">No incumbent: no run finished.</p>'
    key = config_key(incumbent)
    notes = []
    if replayed is not None and replayed != key:
        notes.append(f"Replaying the history with the report's rule (see Convergence) ends with "
                     f"<code>{esc(replayed)}</code> instead: this tuner chooses its incumbent by its own rule "
                     "(e.g. AC-Band by race wins); the convergence plot follows the replay.")
    if default is None:  # a DAC search stores no space: there is no default to compare with
        values = [(n, fmt(v, 6)) for n, v in sorted(incumbent.items())]
        return (f"<p>Incumbent <code>{esc(key)}</code> (the run stores no default to compare with). "
                + " ".join(notes) + "</p>" + table_html(("parameter", "incumbent"), values, table_id="parameters"))
    names = sorted(set(default) | set(incumbent))
    rows, classes = [], []
    for n in names:
        d, i = default.get(n, "(inactive)"), incumbent.get(n, "(inactive)")
        rows.append((n, fmt(d, 6), fmt(i, 6), "changed" if d != i else ""))
        classes.append("changed" if d != i else "")
    changed = sum(1 for c in classes if c)
    notes.insert(0, f"Incumbent <code>{esc(key)}</code>: {changed} of {len(names)} parameters differ from the "
                 "default (highlighted).")
    return "<p>" + " ".join(notes) + "</p>" + table_html(("parameter", "default", "incumbent", ""), rows,
                                                         row_classes=classes, table_id="parameters")


def _worse(validation: Mapping[str, Any]) -> bool:
    """The incumbent's validated mean cost is above the default's (run/validation.py's rule)."""
    return float(validation["incumbent"]["par"]) > float(validation["default"]["par"])


def _guard_section(guard: Mapping[str, Any]) -> str:
    rows = [("verdict", guard.get("verdict")), ("reason", guard.get("reason")),
            ("tuner's incumbent", guard.get("candidate_key")), ("default", guard.get("default_key")),
            ("pairs compared / needed", f"{guard.get('pairs')} / {guard.get('needed')}")]
    for name in ("candidate", "default"):
        cost = guard.get(f"{name}_cost")
        if cost is not None:
            bound = "" if guard.get(f"{name}_cost_exact", True) else "≥ "
            rows.append((f"{'tuner' if name == 'candidate' else 'default'}'s mean cost there", bound + fmt(float(cost))))
    rows.append(("runs the guard added", guard.get("new_runs")))
    note = ('<p>The run returns the tuner\'s incumbent only when it beat the default on the same training '
            "instance-seed pairs (runs of races or stopped early do not count); otherwise the default.</p>")
    return note + table_html(None, rows, table_id="guard")


#: rows shown in the table of configurations tried (the most-run first); the rest are counted
MAX_CONFIG_ROWS = 100


def _configurations_table(run: ConfigurationRun, incumbent: Mapping | None) -> tuple[str, int]:
    """Every configuration the tuner ran: its runs, instances, mean cost, and how it differs from
    the default; the most-run first (the incumbent and the default are marked)."""
    by_key: dict[str, list[RunResult]] = {}
    for r in run.results:
        by_key.setdefault(r.request.config_key, []).append(r)
    marks = {}
    if run.default is not None:
        marks[config_key(run.default)] = "default"
    if incumbent is not None:
        marks[config_key(incumbent)] = "incumbent"
    rows = []
    ranked = sorted(by_key.items(), key=lambda kv: (-len(kv[1]), mean_cost([run.cost(r) for r in kv[1]]).value))
    for key, results in ranked[:MAX_CONFIG_ROWS]:
        m = mean_cost([run.cost(r) for r in results])
        config = run.configs.get(key, {})
        if run.default is not None:
            changed = {n: v for n, v in config.items() if run.default.get(n, object()) != v}
            what = ", ".join(f"{n}={fmt(v, 4)}" for n, v in sorted(changed.items())) or "(as the default)"
        else:
            what = ", ".join(f"{n}={fmt(v, 4)}" for n, v in sorted(config.items()))
        rows.append((marks.get(key, ""), key, len(results), len({r.request.instance for r in results}),
                     ("≥ " if not m.exact else "") + fmt(m.value), what))
    unit = f"PAR{fmt(run.par_factor)} [s]" if run.objective == "runtime" else "cost"
    more = len(ranked) - len(rows)
    note = (f"<p>{len(by_key)} configurations ran{f' ({more} with the fewest runs not shown)' if more else ''}; "
            "the most-run first. A mean over a few runs, or over other instances than the incumbent's, is not "
            "comparable with the incumbent's; ≥ marks a lower bound (runs stopped at a cutoff or bound).</p>")
    headers = ("", "configuration", "runs", "instances", f"mean {unit}", "differs from the default in")
    return note + table_html(headers, rows, numeric=(2, 3, 4), table_id="configurations"), \
        len(by_key)


def _importance_section(page: _Page, run: ConfigurationRun) -> tuple[str, dict[str, float] | None]:
    """fANOVA importances of the parameters over the configurations tried (algoconf/analysis/importance.py)."""
    from algoconf.analysis.importance import MIN_CONFIGURATIONS, parameter_importance
    from algoconf.errors import MissingExtraError

    space = run.space()
    if space is None:
        return '<p class="note">The run stores no configuration space.</p>', None
    by_key: dict[str, list] = {}
    for r in run.results:
        by_key.setdefault(r.request.config_key, []).append(run.cost(r))
    costs = {k: mean_cost(v).value for k, v in by_key.items()}
    try:
        found = parameter_importance(space, {k: run.configs[k] for k in costs if k in run.configs}, costs,
                                     seed=int(run.seed or 0))
    except MissingExtraError as err:
        return f'<p class="note">Not computed: {esc(str(err))}.</p>', None
    if found is None:
        return (f'<p class="note">Not computed: fewer than {MIN_CONFIGURATIONS} configurations with a finite '
                "mean cost, or no parameter varied.</p>"), None
    rows = [(name, fmt(share, 3)) for name, share in found.importances.items()]
    names = list(found.importances)[:15]
    fig = plots.importance_figure(names, [found.importances[n] for n in names])
    left = (f" Left out (inactive in some configuration, or fixed): {esc(', '.join(found.left_out))}."
            if found.left_out else "")
    note = (f"<p>fANOVA (Optuna's <code>FanovaImportanceEvaluator</code>) over the {found.n_configurations} "
            "configurations tried, each scored by its mean cost over the runs it got: the share of the variance "
            "of that cost each parameter explains. It describes what the tuner sampled (noisy for configurations "
            f"with few runs), not the whole space.{left}</p>")
    return (note + page.figure("importance", fig, "Parameter importance (fANOVA), largest first.")
            + table_html(("parameter", "importance"), rows, numeric=(1,), table_id="importance")), dict(found.importances)


def _validation_table(v: Mapping[str, Any], run: ConfigurationRun) -> tuple[str, dict[str, Any]]:
    k = f"PAR{fmt(float(v['par_factor']))}"
    runtime = run.objective == "runtime"
    headers = ["configuration", "solved", k if runtime else "mean cost", "mean runtime [s]",
               "speed-up (PAR)" if runtime else "cost ratio (default / this)"]
    rows, numbers = [], {}
    for name in ("default", "incumbent"):
        s = v[name]
        mean_rt = ("" if s["mean_runtime_exact"] else "≥ ") + fmt(float(s["mean_runtime"]))
        speed = 1.0 if name == "default" else float(v["speedup"])
        rows.append((name, f"{s['solved']}/{s['n']}", fmt(float(s["par"])), mean_rt, f"{speed:.3g}x"))
        numbers[name] = {"solved": s["solved"], "n": s["n"], "par": s["par"], "mean_runtime": s["mean_runtime"],
                         "mean_runtime_exact": s["mean_runtime_exact"]}
    numbers["speedup"] = v["speedup"]
    better = "best" if float(v["speedup"]) > 1 else ""
    rule = (f"{k} counts an unsolved run as {fmt(float(v['par_factor']))} × cutoff. " if runtime
            else "Mean cost: the reported quality (negated when maximising; crash cost without one). ")
    same = v["default"].get("config_key") and v["default"].get("config_key") == v["incumbent"].get("config_key")
    if same:
        rule += "The incumbent is the default configuration (the tuner found nothing better), so both rows are one. "
    note = (f"<p>On {v['default']['n']} {esc(v['instances'])} instances with fresh seeds. {rule}"
            "“≥”: a mean that is only a lower bound (timeouts counted at the cutoff).</p>")
    return note + table_html(headers, rows, row_classes=["", better], numeric=(2, 3, 4), table_id="validation"), numbers


def _validation_samples(rows: list, name: str) -> tuple[np.ndarray, np.ndarray]:
    kept = [r for r in rows if r[f"{name}_status"] in ("SUCCESS", "TIMEOUT", "CAPPED")]  # failures say nothing
    t = np.array([float(r[f"{name}_runtime"]) for r in kept])
    c = np.array([r[f"{name}_status"] != "SUCCESS" for r in kept], dtype=bool)
    return t, c


def _training_samples(run: ConfigurationRun, incumbent: Mapping | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for name, cfg in (("default", run.default), ("incumbent", incumbent)):
        if cfg is not None:
            t, c = samples_from_results([r for r in run.results if r.request.config_key == config_key(cfg)])
            if t.size:
                out[name] = (t, c)
    return out


def _convergence(page: _Page, run: ConfigurationRun, points: list) -> str:
    if run.objective == "runtime":
        label = f"incumbent mean PAR{fmt(run.par_factor)} [s]"
    else:
        label = "incumbent mean cost (= −return)" if run.kind == "dac-search" else "incumbent mean cost"
    default_line = None
    if run.default is not None:
        dkey = config_key(run.default)
        own = [run.cost(r) for r in run.results if r.request.config_key == dkey]
        if own:
            m = mean_cost(own)
            runs = f"{len(own)} run" + ("" if len(own) == 1 else "s")
            default_line = (m.value, f"default ({'≥ ' if not m.exact else ''}{fmt(m.value)} over {runs})")
    t0 = min((r.started for r in run.results if r.started > 0), default=0.0)
    end_wall = max(0.0, max(r.finished for r in run.results) - t0) if t0 else None
    end_cpu = math.fsum(spent_cpu(r) for r in run.results)
    fig = plots.convergence_figure(points, label, default_cost=default_line, end_wall=end_wall, end_cpu=end_cpu)
    lb = sum(not p.cost.exact for p in points)
    caption = (f"Incumbent replayed from {len(run.results)} recorded runs ({len(points)} changes), starting from "
               "the default. A challenger replaces the incumbent once it has as many runs and an exact mean below "
               "the incumbent's on the instance-seed pairs both ran; the cost shown is the incumbent's mean over "
               "its runs so far, so a rise without a new incumbent (no dot) is the same configuration meeting "
               "more or harder instances, not a worse one"
               + (f"; {lb} points are lower bounds (triangles)." if lb else "."))
    return page.figure("convergence", fig, caption)


def _fixed_set_convergence(page: _Page, run: ConfigurationRun, tc: TrajectoryCosts) -> tuple[str, dict[str, Any]]:
    """Each incumbent's cost on the same fixed pairs (algoconf/analysis/trajectory_costs.py)."""
    from algoconf.records import Estimate

    k = f"PAR{fmt(tc.par_factor)}" if tc.objective == "runtime" else "mean cost"
    numbers = {"pairs": len(tc.pairs), "default_cost": tc.default_cost, "complete": tc.complete,
               "points": [{"config_key": p.config_key, "wallclock": p.wallclock, "cpu_time": p.cpu_time,
                           "cost": p.cost, "tuner_cost": p.tuner_cost if math.isfinite(p.tuner_cost) else None}
                          for p in tc.points],
               "runs": dict(tc.runs)}
    if not tc.points:
        return ('<p class="note">The fixed-set evaluation of the incumbents has no point yet (its budget ran out '
                "first): run <code>algoconf validate RUNDIR --trajectory N</code> again.</p>"), numbers
    points = [TrajectoryPoint(p.run, p.wallclock, p.cpu_time, p.config_key, Estimate(p.cost, p.exact), len(tc.pairs))
              for p in tc.points]
    default_line = (tc.default_cost, f"default on the same pairs ({'' if tc.default_exact else '≥ '}{fmt(tc.default_cost)})")
    unit = " [s]" if tc.objective == "runtime" else ""
    fig = plots.convergence_figure(points, f"incumbent {k} on {len(tc.pairs)} fixed pairs{unit}",
                                   default_cost=default_line, end_wall=tc.end_wallclock, end_cpu=tc.end_cpu_time,
                                   line_label="incumbent on the fixed pairs")
    rows = [(p.run, fmt(p.wallclock), fmt(p.cpu_time), p.config_key + (" (returned)" if p.returned else ""),
             ("" if not math.isfinite(p.tuner_cost) else ("" if p.tuner_cost_exact else "≥ ") + fmt(p.tuner_cost)),
             ("" if p.exact else "≥ ") + fmt(p.cost)) for p in tc.points]
    time_kind = "CPU" if tc.runs.get("time_kind", "cpu") == "cpu" else "wall-clock"
    note = (f"<p>Every configuration that was the incumbent, run again on the same {len(tc.pairs)} training "
            f"instance-seed pairs (at the cutoff, never capped), so the points are comparable: a rise here is a "
            "worse incumbent. Each sits at the tuning time at which it became the incumbent. "
            f"{tc.runs.get('new', 0)} runs were made for this ({fmt(float(tc.runs.get('target_time', 0.0)))} s target "
            f"{time_kind} time), {tc.runs.get('reused', 0)} reused from the analyses' history."
            + ("" if tc.complete else " <b>Incomplete</b>: the budget ran out; later incumbents are missing.") + "</p>")
    body = (note + page.figure("convergence-fixed", fig, f"Incumbent {k} on {len(tc.pairs)} fixed training pairs, "
                                                         "over wall-clock and target CPU time of the tuning run.")
            + table_html(("after run", "wall [s]", "CPU [s]", "configuration", "tuner's estimate then",
                          f"{k} on the fixed pairs"), rows, numeric=(0, 1, 2, 4, 5), table_id="trajectory-fixed"))
    return body, numbers


def _ablation_section(page: _Page, ab: AblationResult, incumbent: Mapping | None) -> tuple[str, dict[str, Any]]:
    """The ablation path from the default to the incumbent (algoconf/analysis/ablation.py)."""
    k = ablation_cost_label(ab)
    rows, classes = [], []
    for i, s in enumerate(ab.steps):
        name = "(default)" if s.parameter is None else s.parameter
        if s.parameter is None:
            value = ""
        else:
            value = ", ".join(f"{n}={'inactive' if v is None else fmt(v, 4)}" for n, v in s.values.items())
        imp, share = ab.improvement(i), ab.share(i)
        rows.append((s.step, name, value, ("" if s.exact else "≥ ") + fmt(s.cost),
                     "" if i == 0 else fmt(imp), "" if not math.isfinite(share) else f"{100 * share:.1f} %"))
        classes.append("changed" if math.isfinite(share) and share >= 0.2 else "")
    notes = [f"From the default to the incumbent, one parameter change at a time, each step keeping the change that "
             f"helps most now (Fawcett &amp; Hoos 2016), every candidate measured with real runs on the same "
             f"{len(ab.pairs)} training instance-seed pairs "
             f"({'raced: a candidate a paired t-test finds worse is dropped' if ab.racing else 'every candidate on every pair'}). "
             f"A change that activates or deactivates other parameters lists them too. Rows with at least 20 % of "
             f"the improvement are highlighted. Runs: {ab.runs.get('new', 0)} new, {ab.runs.get('reused', 0)} reused."]
    if incumbent is not None and ab.target and config_key(ab.target) != config_key(incumbent):
        notes.append("<b>This ablation ends at another configuration than the run's incumbent</b> (the run "
                     "continued after it): run <code>algoconf ablate RUNDIR</code> again.")
    if not ab.complete:
        notes.append("<b>Incomplete</b>: its budget ran out; <code>algoconf ablate RUNDIR</code> continues it.")
    elif not ab.total_improvement > 0:
        notes.append("The incumbent is not better than the default on these pairs, so there are no shares.")
    body = "<p>" + " ".join(notes) + "</p>"
    if len(ab.steps) >= 2:
        labels = ["default"] + [s.parameter or "" for s in ab.steps[1:]]
        fig = plots.ablation_figure(labels, [s.cost for s in ab.steps],
                                    [ab.share(i) for i in range(len(ab.steps))],
                                    f"{k} on {len(ab.pairs)} pairs" + (" [s]" if ab.objective == "runtime" else ""))
        body += page.figure("ablation", fig, "Ablation path: the cost after each cumulative change (line) and each "
                                             "change's share of the total improvement (bars).")
    body += table_html(("step", "parameter changed", "value", f"{k} on the pairs", "improvement",
                        "share of total"), rows, row_classes=classes, numeric=(0, 3, 4, 5), table_id="ablation")
    def finite(x: float) -> float | None:  # JSON has no NaN
        return x if math.isfinite(x) else None

    numbers = {"complete": ab.complete, "pairs": len(ab.pairs), "racing": ab.racing,
               "total_improvement": finite(ab.total_improvement),
               "steps": [{"parameter": s.parameter, "cost": s.cost, "share": finite(ab.share(i))}
                         for i, s in enumerate(ab.steps)]}
    return body, numbers


def _rtd_section(page: _Page, t: np.ndarray, c: np.ndarray, time_label: str) -> dict[str, Any]:
    from algoconf.analysis.rtd import fit_best_rtd

    exact = int((~c).sum())
    if exact < MIN_EXACT_FOR_FIT:
        page.add("Runtime distribution", f'<p class="note">Not fitted: the incumbent has {exact} exact test '
                 f"runtimes; a fit needs at least {MIN_EXACT_FOR_FIT}.</p>")
        return {"fitted": False, "exact_runs": exact}
    choice = fit_best_rtd(t, c)
    rows = [(f.family, ", ".join(f"{k}={v:.4g}" for k, v in f.params.items()), fmt(f.aic), fmt(f.ks, 3),
             fmt(f.mean()), "best" if f is choice.best else "") for f in choice.fits]
    body = (f"<p>The incumbent's {t.size} test runtimes ({int(c.sum())} censored) across instances, fitted by "
            "censored maximum likelihood; chosen by AIC; KS = largest gap to the Kaplan–Meier curve.</p>"
            + table_html(("family", "parameters", "AIC", "KS", "mean [s]", ""), rows,
                         row_classes=["best" if r[-1] else "" for r in rows], numeric=(2, 3, 4), table_id="rtd")
            + page.figure("rtd", plots.rtd_figure(t, c, choice, time_label), "Measured CDF and fitted distributions."))
    page.add("Runtime distribution", body)
    return {"fitted": True, "best": choice.best.family, "params": dict(choice.best.params), "ks": choice.best.ks,
            "exact_runs": exact}


# --- DAC traces -----------------------------------------------------------------------------------
def _trace_section(page: _Page, trace: DACTrace) -> dict[str, Any]:
    returns = np.array([e.ret for e in trace.episodes])
    by_instance: dict[str, list[float]] = {}
    for e in trace.episodes:
        by_instance.setdefault(e.instance, []).append(e.ret)
    rows = [(inst, len(v), fmt(float(np.mean(v))), fmt(float(np.min(v))), fmt(float(np.max(v))))
            for inst, v in sorted(by_instance.items())]
    shown = rows if len(rows) <= _MAX_INSTANCE_ROWS else sorted(rows, key=lambda r: float(r[2]))[:_MAX_INSTANCE_ROWS]
    more = (f"<p>The {_MAX_INSTANCE_ROWS} instances with the lowest mean return of {len(rows)}.</p>"
            if len(shown) < len(rows) else "")
    name = trace.path.stem
    body = (f"<p>{len(returns)} episodes from <code>{esc(trace.path)}</code>: mean return {fmt(float(returns.mean()))}"
            f" (min {fmt(float(returns.min()))}, max {fmt(float(returns.max()))}).</p>"
            + page.figure(f"returns-{name}", plots.returns_figure(trace.episodes),
                          "Left: cumulative reward over the steps of an episode. Right: episode returns.")
            + more + table_html(("instance", "episodes", "mean return", "min", "max"), shown, numeric=(1, 2, 3, 4)))
    page.add(f"Return curves: {name}", body)
    return {"trace": str(trace.path), "episodes": int(returns.size), "mean_return": float(returns.mean())}


# --- offline selection ------------------------------------------------------------------------------
def _selection_sections(page: _Page, entries: tuple[SelectionEntry, ...]) -> dict[str, Any]:
    conventions = sorted({e.convention for e in entries})
    scenarios = sorted({e.scenario for e in entries})
    body = [f"<p>{len(entries)} results: {len(scenarios)} scenarios, "
            f"{len({e.selector for e in entries})} selectors. Gap closed = (SBS − selector) / (SBS − VBS) on "
            "PAR10: 0 is the single best solver, 1 the virtual best, below 0 worse than the single best.</p>"]
    for conv in conventions:
        slug = "gap-" + conv.replace("feature cost ", "").replace(" ", "-")
        body.append(page.figure(slug, plots.gap_closed_figure(entries, conv),
                                f"Gap closed per scenario and selector ({conv}), each bar labelled with its "
                                "value; bars below −1 are cut there."))
    page.add("Gap closed", "".join(body))
    rows = [(e.scenario, e.selector, e.convention, fmt(e.par10), f"{100 * e.solved:.1f} %" if math.isfinite(e.solved)
             else "", fmt(e.gap_closed, 3), fmt(e.vbs_par10), fmt(e.sbs_par10)) for e in
            sorted(entries, key=lambda e: (e.scenario, e.convention, -_finite(e.gap_closed)))]
    page.add("Results", table_html(("scenario", "selector", "convention", "PAR10", "solved", "gap closed",
                                    "VBS PAR10", "SBS PAR10"), rows, numeric=(3, 4, 5, 6, 7), table_id="selection"))
    best: dict[str, dict[str, Any]] = {}
    for e in entries:
        key = f"{e.scenario} ({e.convention})"
        if math.isfinite(e.gap_closed) and (key not in best or e.gap_closed > best[key]["gap_closed"]):
            best[key] = {"selector": e.selector, "gap_closed": e.gap_closed}
    return {"results": len(entries), "scenarios": scenarios, "best": best}


def _finite(x: float) -> float:
    return x if math.isfinite(x) else -math.inf
