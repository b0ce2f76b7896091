"""The bar charts' ticks: 0 and then one step of 1, 2 or 5 times a power of ten, up to or past the peak."""

from __future__ import annotations

import itertools
import re

import pytest

from eu_residency.review_pack.charts import bar_chart, nice_ticks


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (9, [0, 2, 4, 6, 8, 10]),
        (10, [0, 2, 4, 6, 8, 10]),
        (17, [0, 5, 10, 15, 20]),
        (48, [0, 10, 20, 30, 40, 50]),
        (101, [0, 50, 100, 150]),
        (999, [0, 200, 400, 600, 800, 1000]),
    ],
)
def test_ticks_step_by_one_two_or_five_times_a_power_of_ten(peak: int, ticks: list[int]) -> None:
    assert nice_ticks(peak) == ticks


@pytest.mark.parametrize("peak", range(1, 400))
def test_every_peak_gets_even_ticks_that_reach_it(peak: int) -> None:
    ticks = nice_ticks(peak)
    steps = {later - earlier for earlier, later in itertools.pairwise(ticks)}
    assert len(steps) == 1
    [step] = steps
    assert ticks[0] == 0 and ticks[-1] >= peak and len(ticks) <= 6
    assert re.fullmatch(r"[125]0*", str(step)), step


def test_the_chart_draws_those_ticks() -> None:
    svg = bar_chart("Open findings by rule", [("EU-RES-001", 2, 7)])
    drawn = [int(label) for label in re.findall(r'text-anchor="middle">(\d+)</text>', svg)]
    assert drawn == [0, 2, 4, 6, 8, 10]
