"""Report figures (matplotlib, no display needed): each function returns a ``Figure``.

Conventions every figure follows: axis labels say the quantity and its unit; a time axis is
logarithmic when the values shown span more than a decade; censored runtimes are never drawn as
exact — timeouts sit on the cutoff lines with their own marker, Kaplan–Meier curves stop at the
last observation (the horizon), and lower-bound costs get an upward triangle ("at least").
Figures are built with ``matplotlib.figure.Figure`` (no pyplot state), so building them is safe in
any process and never opens a window.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from algoconf.analysis.report_trajectory import TrajectoryPoint
from algoconf.analysis.rtd import RTDChoice
from algoconf.censored.kaplan_meier import kaplan_meier
from algoconf.extras import require

if TYPE_CHECKING:
    from matplotlib.figure import Figure
else:  # the plots extra: a missing matplotlib stops here with the pip command that installs it
    Figure = require("matplotlib.figure", "plotting").Figure

__all__ = ["ablation_figure", "gap_closed_figure", "scatter_figure", "quality_scatter_figure", "ecdf_figure", "convergence_figure", "rtd_figure", "returns_figure",
           "spans_decades", "COLOURS"]

COLOURS = {"default": "#7f7f7f", "incumbent": "#1f77b4", "timeout": "#d62728", "failed": "#9467bd",
           "bound": "#ff7f0e"}
_FLOOR = 1e-3  # runtimes below a millisecond are drawn at 1 ms on log axes


def spans_decades(values: Sequence[float] | np.ndarray) -> bool:
    """True when the positive values span more than a factor of ten."""
    v = np.asarray([x for x in values if x > 0 and math.isfinite(x)], dtype=float)
    return bool(v.size) and float(v.max() / v.min()) > 10.0


def scatter_figure(rows: Sequence[Mapping], cutoff: float | None, time_label: str) -> Figure:
    """Default vs incumbent runtime per validation instance (log-log, diagonal, timeouts on the cutoff)."""
    x = np.array([max(float(r["default_runtime"]), _FLOOR) for r in rows])
    y = np.array([max(float(r["incumbent_runtime"]), _FLOOR) for r in rows])
    ds = np.array([r["default_status"] for r in rows])
    ins = np.array([r["incumbent_status"] for r in rows])
    top = float(cutoff) if cutoff else float(max(x.max(), y.max()))
    # unsolved runs (timeouts, failures) are placed on the cutoff line: their runtime is unknown
    x = np.where(ds == "SUCCESS", x, top)
    y = np.where(ins == "SUCCESS", y, top)
    fig = Figure(figsize=(5.6, 5.2))
    ax = fig.subplots()
    lo = min(float(x.min()), float(y.min())) / 1.5
    hi = top * 1.5
    ax.plot([lo, hi], [lo, hi], color="black", lw=0.8, label="equal runtime")
    for f, ls in ((2.0, ":"), (0.5, ":")):
        ax.plot([lo, hi], [lo * f, hi * f], color="grey", lw=0.6, ls=ls)
    both = (ds == "SUCCESS") & (ins == "SUCCESS")
    timeout = ((ds == "TIMEOUT") | (ins == "TIMEOUT") | (ds == "CAPPED") | (ins == "CAPPED")) & ~both
    failed = ~both & ~timeout
    ax.scatter(x[both], y[both], s=22, color=COLOURS["incumbent"], alpha=0.75, label=f"both solved ({both.sum()})")
    if timeout.any():
        ax.scatter(x[timeout], y[timeout], s=46, marker="x", color=COLOURS["timeout"], linewidths=1.6,
                   label=f"timeout, drawn at the cutoff ({timeout.sum()})")
    if failed.any():
        ax.scatter(x[failed], y[failed], s=40, marker="s", facecolors="none", color=COLOURS["failed"],
                   label=f"crash/memout, drawn at the cutoff ({failed.sum()})")
    if cutoff:
        ax.axhline(cutoff, color=COLOURS["timeout"], lw=0.8, ls="--")
        ax.axvline(cutoff, color=COLOURS["timeout"], lw=0.8, ls="--", label=f"cutoff {cutoff:g} s")
    _log_axis(ax, "x")
    _log_axis(ax, "y")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel(f"default: {time_label} [s]")
    ax.set_ylabel(f"incumbent: {time_label} [s]")
    faster = int(np.sum(y < x))
    ax.set_title(f"per test instance: incumbent faster on {faster} of {len(rows)}\n"
                 "(below the diagonal = incumbent faster; dotted: 2x)", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    return fig


def quality_scatter_figure(rows: Sequence[Mapping], maximize: bool) -> Figure:
    """Default vs incumbent quality per validation instance; runs without a quality are counted, not drawn."""
    ok = [r for r in rows if r.get("default_quality") is not None and r.get("incumbent_quality") is not None]
    x = np.array([float(r["default_quality"]) for r in ok])
    y = np.array([float(r["incumbent_quality"]) for r in ok])
    fig = Figure(figsize=(5.6, 5.2))
    ax = fig.subplots()
    if x.size:
        lo, hi = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
        pad = 0.05 * (hi - lo or abs(hi) or 1.0)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="black", lw=0.8, label="equal quality")
        ax.scatter(x, y, s=22, color=COLOURS["incumbent"], alpha=0.75, label=f"instances ({x.size})")
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_aspect("equal")
    better = int(np.sum(y > x)) if maximize else int(np.sum(y < x))
    missing = len(rows) - len(ok)
    ax.set_xlabel("default: reported quality (cost)")
    ax.set_ylabel("incumbent: reported quality (cost)")
    side = "above" if maximize else "below"
    ax.set_title(f"per test instance: incumbent better on {better} of {len(rows)}"
                 + (f", {missing} without a quality" if missing else "")
                 + f"\n({side} the diagonal = incumbent better)", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def ecdf_figure(samples: Mapping[str, tuple[np.ndarray, np.ndarray]], cutoff: float | None, time_label: str,
                title: str) -> Figure:
    """Kaplan–Meier runtime CDFs, one curve per name; each stops at its horizon (last observation)."""
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.subplots()
    all_t: list[float] = []
    for i, (name, (t, c)) in enumerate(samples.items()):
        km = kaplan_meier(t, c)
        if km.n == 0:
            continue
        colour = COLOURS.get(name, f"C{i}")
        start = max(min(float(t.min()), float(km.times[0]) if km.times.size else km.horizon), _FLOOR)
        xs = np.concatenate([[start], np.maximum(km.times, _FLOOR), [max(km.horizon, _FLOOR)]])
        ys = np.concatenate([[0.0], km.cdf, [km.cdf[-1] if km.cdf.size else 0.0]])
        label = f"{name} ({km.n - km.n_censored}/{km.n} solved"
        label += ")" if km.complete else f"; {km.n_censored} censored, unknown past o)"
        ax.step(xs, ys, where="post", color=colour, lw=2, label=label)
        cens_t = np.maximum(t[c], _FLOOR)
        if cens_t.size:
            ax.plot(cens_t, km(cens_t), "|", color=colour, ms=12, mew=1.6)
        if not km.complete:
            ax.plot([xs[-1]], [ys[-1]], marker="o", mfc="white", color=colour, ms=7)
        all_t.extend(np.maximum(t, _FLOOR).tolist())
    if cutoff:
        ax.axvline(cutoff, color=COLOURS["timeout"], lw=0.8, ls="--", label=f"cutoff {cutoff:g} s")
    if spans_decades(all_t + ([cutoff] if cutoff else [])):
        _log_axis(ax, "x")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"{time_label} [s]")
    ax.set_ylabel("fraction of runs finished (Kaplan–Meier)")
    ax.set_title(title + "\n(| = censored run; o = curve ends: nothing known past it)", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    return fig


def convergence_figure(points: Sequence[TrajectoryPoint], cost_label: str, *,
                       default_cost: tuple[float, str] | None = None, end_wall: float | None = None,
                       end_cpu: float | None = None, line_label: str = "incumbent mean cost") -> Figure:
    """Incumbent cost over wall-clock time (left) and over target CPU time (right), as steps.

    Lower-bound costs (some incumbent run censored below the cutoff) are marked with triangles;
    ``default_cost`` is (value, legend label) of a reference line; ``end_*`` extend the last step to
    the end of the run.
    """
    fig = Figure(figsize=(10.5, 4.4))
    axes = fig.subplots(1, 2)
    cost = np.array([p.cost.value for p in points])
    exact = np.array([p.cost.exact for p in points])
    changes = np.array([i == 0 or points[i].config_key != points[i - 1].config_key for i in range(len(points))])
    for ax, attr, label, end in ((axes[0], "wallclock", "wall-clock time since start [s]", end_wall),
                                 (axes[1], "cpu_time", "cumulative target CPU time [s]", end_cpu)):
        x = np.array([max(getattr(p, attr), _FLOOR) for p in points])
        xe = np.concatenate([x, [max(end, x[-1])]]) if end is not None and len(x) else x
        ye = np.concatenate([cost, [cost[-1]]]) if len(xe) > len(x) else cost
        ax.step(xe, ye, where="post", color=COLOURS["incumbent"], lw=2, label=line_label)
        ax.plot(x[changes], cost[changes], "o", color=COLOURS["incumbent"], ms=5, label="new incumbent")
        if (~exact).any():
            ax.plot(x[~exact], cost[~exact], "^", color=COLOURS["bound"], ms=8,
                    label="lower bound (censored run below cutoff)")
        if default_cost is not None and math.isfinite(default_cost[0]):
            ax.axhline(default_cost[0], color=COLOURS["default"], ls="--", lw=1, label=default_cost[1])
        if spans_decades(xe):
            _log_axis(ax, "x")
        if spans_decades(np.concatenate([cost, [default_cost[0]] if default_cost else []])):
            _log_axis(ax, "y")
        ax.set_xlabel(label)
        ax.set_ylabel(cost_label)
        ax.grid(True, alpha=0.3)
    axes[0].set_title("incumbent over wall-clock time", fontsize=10)
    axes[1].set_title("incumbent over target CPU time", fontsize=10)
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def rtd_figure(t: np.ndarray, c: np.ndarray, choice: RTDChoice, time_label: str) -> Figure:
    """Kaplan–Meier CDF of the runtimes with the fitted distributions (best one bold)."""
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    km = kaplan_meier(t, c)
    xs = np.concatenate([[max(float(t.min()), _FLOOR)], km.times, [km.horizon]])
    ys = np.concatenate([[0.0], km.cdf, [km.cdf[-1]]])
    ax.step(xs, ys, where="post", color="black", lw=2, label="Kaplan–Meier (measured)")
    grid = np.geomspace(max(float(t.min()) / 2, _FLOOR), km.horizon, 300)
    for i, fit in enumerate(choice.fits):
        best = fit is choice.best
        ax.plot(grid, fit.cdf(grid), lw=2.2 if best else 1.0, ls="-" if best else "--", color=f"C{i}",
                label=f"{fit.family}{' (best AIC)' if best else ''}, KS {fit.ks:.3f}")
    if spans_decades(xs):
        _log_axis(ax, "x")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"{time_label} [s]")
    ax.set_ylabel("P(runtime ≤ t)")
    ax.set_title("runtime-distribution fits (censored maximum likelihood)", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def returns_figure(episodes: Sequence) -> Figure:
    """DAC return curves: cumulative reward over the steps of an episode (mean and 10–90 % band),
    and the distribution of episode returns."""
    fig = Figure(figsize=(10.5, 4.0))
    ax, hist = fig.subplots(1, 2)
    length = max(len(e.rewards) for e in episodes)
    curves = np.full((len(episodes), length), np.nan)
    for i, e in enumerate(episodes):
        if e.rewards:
            cum = np.cumsum(e.rewards)
            curves[i, : cum.size] = cum
            curves[i, cum.size:] = cum[-1]  # a finished episode keeps its return
    steps = np.arange(1, length + 1)
    if length:
        ax.plot(steps, np.nanmean(curves, axis=0), color=COLOURS["incumbent"], lw=2, label="mean")
        ax.fill_between(steps, np.nanpercentile(curves, 10, axis=0), np.nanpercentile(curves, 90, axis=0),
                        color=COLOURS["incumbent"], alpha=0.2, label="10–90 % of episodes")
        ax.legend(loc="best", fontsize=8)
    ax.set_xlabel("step of the episode")
    ax.set_ylabel("cumulative reward (return so far)")
    ax.set_title(f"return curves over {len(episodes)} episodes", fontsize=10)
    ax.grid(True, alpha=0.3)
    returns = np.array([e.ret for e in episodes])
    hist.hist(returns, bins=min(30, max(5, len(returns) // 3)), color=COLOURS["incumbent"], alpha=0.8)
    hist.axvline(float(returns.mean()), color="black", lw=1.2, ls="--", label=f"mean {returns.mean():.4g}")
    hist.set_xlabel("episode return (sum of rewards)")
    hist.set_ylabel("episodes")
    hist.set_title("episode returns", fontsize=10)
    hist.legend(loc="best", fontsize=8)
    hist.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def importance_figure(names: Sequence[str], shares: Sequence[float]) -> Figure:
    """Horizontal bars of parameter importances (shares of the variance), largest on top."""
    fig = Figure(figsize=(6.5, 0.35 * len(names) + 1.2))
    ax = fig.subplots()
    y = np.arange(len(names))[::-1]
    ax.barh(y, shares, color=COLOURS["incumbent"], alpha=0.85)
    ax.set_yticks(y, labels=list(names), fontsize=8)
    ax.set_xlim(0, max(1e-9, max(shares, default=0.0)) * 1.1)
    ax.set_xlabel("share of the variance of the mean cost (fANOVA)")
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def ablation_figure(labels: Sequence[str], costs: Sequence[float], shares: Sequence[float], cost_label: str) -> Figure:
    """The ablation path: above, the cost after each cumulative change (the default's level dashed);
    below, each change's share of the total improvement (red: that change made things worse)."""
    n = len(labels)
    fig = Figure(figsize=(max(6.0, 0.55 * n + 2.5), 5.4))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    x = np.arange(n)
    top.plot(x, costs, "o-", color=COLOURS["incumbent"], lw=2, ms=5, label="after the change")
    top.axhline(costs[0], color=COLOURS["default"], ls="--", lw=1, label=f"default ({costs[0]:.3g})")
    top.set_ylabel(cost_label)
    top.grid(True, axis="y", alpha=0.3)
    top.legend(loc="upper right", fontsize=8)
    top.set_title("ablation path from the default to the incumbent", fontsize=10)
    finite = np.array([s if math.isfinite(s) else 0.0 for s in shares])
    colours = [COLOURS["incumbent"] if v >= 0 else COLOURS["timeout"] for v in finite]
    bottom.bar(x[1:], 100 * finite[1:], color=colours[1:], alpha=0.8, width=0.6)
    bottom.axhline(0, color="grey", lw=0.6)
    bottom.set_ylabel("share of the\nimprovement [%]", fontsize=9)
    bottom.grid(True, axis="y", alpha=0.3)
    bottom.set_xticks(x, labels=list(labels), rotation=40, ha="right", fontsize=8)
    bottom.set_xlabel("parameter changed (cumulative)")
    fig.tight_layout()
    return fig


def _log_axis(ax, which: str) -> None:
    """Log-scale one axis, labelled with plain numbers: every decade (0.1, 1, 10) and, on the
    minor ticks, the 2s and 5s (so a range of one or two decades still gets several labels)."""
    from matplotlib.ticker import FuncFormatter

    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(FuncFormatter(_minor_label))


def _minor_label(value: float, _pos: int) -> str:
    if value <= 0:
        return ""
    mantissa = round(value / 10 ** math.floor(math.log10(value)), 6)
    return f"{value:g}" if mantissa in (2.0, 5.0) else ""


def gap_closed_figure(entries: Sequence, convention: str, *, clip: float = -1.0) -> Figure:
    """Horizontal bars of the SBS–VBS gap closed per scenario, one bar per selector.

    0 = single best solver, 1 = virtual best; every bar is labelled with its value (bars below
    ``clip`` are cut there); a black tick marks a scenario's published best gap where known.
    """
    rows = [e for e in entries if e.convention == convention]
    scenarios = sorted({e.scenario for e in rows})
    selectors = sorted({e.selector for e in rows})
    width = 0.8 / max(1, len(selectors))
    fig = Figure(figsize=(9.5, max(2.8, 1.2 + 0.16 * len(scenarios) * max(2, len(selectors)))))
    ax = fig.subplots()
    for j, sel in enumerate(selectors):
        ys, gaps = [], []
        for i, scen in enumerate(scenarios):
            match = [e for e in rows if e.scenario == scen and e.selector == sel]
            if match and math.isfinite(match[0].gap_closed):
                ys.append(i + (j - (len(selectors) - 1) / 2) * width)
                gaps.append(match[0].gap_closed)
        shown = [max(g, clip) for g in gaps]
        ax.barh(ys, shown, height=width * 0.9, color=f"C{j}", label=sel)
        ax.plot(shown, ys, "|", color=f"C{j}", ms=9, mew=2)  # a bar of width 0 still shows
        for y, g, x in zip(ys, gaps, shown):
            ax.annotate(f"{g:.2f}", (max(x, 0.0), y), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=7)
    published = {e.scenario: e.published_best_gap for e in rows if e.published_best_gap is not None}
    if published:
        ax.plot([published[s] for s in scenarios if s in published],
                [i for i, s in enumerate(scenarios) if s in published], "|", color="black", ms=14, mew=2,
                label="published best")
    ax.axvline(0, color="black", lw=0.8)
    ax.axvline(1, color="grey", lw=0.8, ls="--")
    ax.set_yticks(range(len(scenarios)))
    ax.set_yticklabels(scenarios, fontsize=8)
    ax.invert_yaxis()
    finite = [e.gap_closed for e in rows if math.isfinite(e.gap_closed)] + list(published.values())
    ax.set_xlim(max(clip, min([0.0] + finite)) - 0.08, 1.05)
    ax.set_xlabel("fraction of the SBS–VBS gap closed (PAR10; 0 = single best, 1 = virtual best)")
    ax.set_title(f"gap closed per scenario ({convention})", fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
