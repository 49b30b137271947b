"""What every benchmark reports: a figure of the app beside a baseline measured in the same run."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Size = Literal["tiny", "full"]


@dataclass(frozen=True)
class Figure:
    name: str                 # what was measured, in a few words
    ours: float
    baseline: float
    unit: str                 # "ms", "requests", "MB"…
    baseline_name: str        # what the baseline is
    lower_is_better: bool = True
    target: str = ""          # the goal, as the issue states it

    @property
    def ratio(self) -> float:
        """How many times better the app is than the baseline (> 1: better)."""
        if self.ours == 0 or self.baseline == 0:
            return math.nan
        return self.baseline / self.ours if self.lower_is_better else self.ours / self.baseline


def table(figures: list[Figure]) -> str:
    """A Markdown table, the form the README shows."""
    rows = ["| figure | app | baseline | vs | better by | target |",
            "|---|---:|---:|---|---:|---|"]
    for f in figures:
        rows.append(f"| {f.name} | {f.ours:.4g} {f.unit} | {f.baseline:.4g} {f.unit} | "
                    f"{f.baseline_name} | {f.ratio:.2f}x | {f.target} |")
    return "\n".join(rows)
