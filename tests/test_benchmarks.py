"""Every benchmark runs at its tiny size, so none can rot between the runs that quote them."""

from __future__ import annotations

import math

from pytestqt.qtbot import QtBot

from benchmarks.__main__ import BENCHMARKS, run
from benchmarks.figures import Figure, table


def test_every_benchmark_runs_and_reports_figures_against_a_baseline(qtbot: QtBot) -> None:
    for name in BENCHMARKS:
        figures = run([name], "tiny")
        assert figures, f"{name} reported nothing"
        for figure in figures:
            assert isinstance(figure, Figure)
            assert figure.ours > 0 and figure.baseline > 0, figure
            assert math.isfinite(figure.ratio), figure
        assert all(f.name in table(figures) for f in figures)


def test_the_ratio_says_how_many_times_better_the_app_is() -> None:
    assert Figure("t", ours=50, baseline=100, unit="ms", baseline_name="b").ratio == 2
    assert Figure("r", ours=300, baseline=100, unit="/s", baseline_name="b",
                  lower_is_better=False).ratio == 3
