"""The figures of chapter 5, two-layer networks (book/twolayer.md). Each takes the chapter's
computed results and returns the Figure; the style and the shared helpers come from
`geneft.plots`."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import LogLocator

from . import PALETTE, WIDTH, curve_panels

__all__ = ["PANELS", "time_marks", "training_curves", "separation_and_risk", "init_curves",
           "noise_curves", "width_curves"]

# The four observables of `twolayer.simulate` as curve panels: {column: (axis label, y scale)}.
PANELS = {"train": ("train MSE", "log"), "test": ("test excess risk E", "linear"),
          "align": ("feature alignment A", "linear"), "path": ("path norm P", "log")}


def time_marks(ts) -> dict:
    """{curve label: [t_feat, t_fit]} of `twolayer.timescales` for dashed markers on curve
    plots; t_fit left out when the run never reached it."""
    return {key: [float(v) for v in (row.t_feat, row.t_fit) if np.isfinite(v)]
            for key, row in ts.iterrows()}


def _four_panels(curves, *, by: str, label: str, vlines: dict | None = None):
    """The four PANELS in a 2 x 2 grid with a shared step axis, one line per value of `by`."""
    fig, axes = plt.subplots(2, 2, figsize=(WIDTH, 5.2), sharex=True)
    curve_panels(axes, curves, PANELS, by=by, label=label, vlines=vlines)
    for ax in axes[0]:
        ax.set_xlabel("")
    return fig, axes


def _two_panels(curves, columns, *, by: str, label: str):
    """Two of the PANELS side by side, one line per value of `by`, the legend above them."""
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 2.9))
    curve_panels(axes, curves, {k: PANELS[k] for k in columns}, by=by, label=label)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center",
               ncols=curves[by].nunique())
    return fig


def training_curves(curves, ts):
    """The four observables of the main runs against the step, one colour per sample ratio,
    with dashed verticals at each curve's t_feat and t_fit (`ts`: `twolayer.timescales`)."""
    fig, axes = _four_panels(curves, by="alpha", label="α = {:g}", vlines=time_marks(ts))
    marks = Line2D([], [], color="0.3", ls="--", lw=0.8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles + [marks], labels + [r"$t_\mathrm{feat}$, then $t_\mathrm{fit}$"],
               loc="outside upper center", ncols=len(labels) + 1)
    return fig


def separation_and_risk(ts, sep):
    """Left: t_fit/t_feat against the sample ratio (log-log) with the power law of `sep`
    (`twolayer.separation`); right: the test excess risk at t* and at the end (`ts`)."""
    alpha = np.asarray(ts.index, dtype=float)
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 2.9))
    left.loglog(alpha, sep.ratio, "o", color=PALETTE["blue"],
                label=r"$t_\mathrm{fit}/t_\mathrm{feat}$")
    left.loglog(alpha, sep.prefactor * alpha ** sep.slope, "--", color=PALETTE["black"],
                label=rf"fit $\propto \alpha^{{{sep.slope:.2f}}}$")
    left.set(xlabel=r"$\alpha = n/d$", ylabel=r"$t_\mathrm{fit}/t_\mathrm{feat}$")
    left.yaxis.set(major_locator=LogLocator(subs=(1, 2, 5)), major_formatter="{x:g}",
                   minor_formatter="")
    right.plot(alpha, ts.test_star, "o-", color=PALETTE["green"], label=r"$E$ at $t^*$")
    right.plot(alpha, ts.test_end, "s-", color=PALETTE["vermillion"], label=r"$E$ at the end")
    right.set(xscale="log", xlabel=r"$\alpha = n/d$", ylabel="test excess risk E")
    for ax in (left, right):
        ax.set_xticks(alpha, [f"{a:g}" for a in alpha], minor=False)
        ax.xaxis.set_minor_formatter("")
    fig.legend(loc="outside upper center", ncols=4)
    return fig


def init_curves(contrast):
    """The four observables at one sample ratio against the step, one colour per init scale
    (`contrast`: rows with a column a0, the small start among them)."""
    fig, axes = _four_panels(contrast, by="a0", label="a₀ = {:g}")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside upper center",
               ncols=contrast.a0.nunique())
    return fig


def noise_curves(noise):
    """Train MSE and path norm of the pure-noise runs against the step, one colour per sample
    ratio."""
    return _two_panels(noise, ("train", "path"), by="alpha", label="α = {:g}")


def width_curves(wide):
    """Test excess risk and alignment at one sample ratio against the step, one colour per
    width m (`wide`: rows with a column m)."""
    return _two_panels(wide, ("test", "align"), by="m", label="m = {:g}")
