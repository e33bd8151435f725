"""Fit how each cost grows with the number of cases and extrapolate to 100,000.

    python benchmarks/growth.py            # reads benchmarks/growth.json, prints the table

``growth.json`` holds points measured by the other benchmarks (each with the
script and the date it came from). For each series the script fits a power law
``cost = a * n^b`` (least squares on log(n), log(cost)) and a straight line
``cost = c + d * n`` (a fixed cost plus a cost per case: the matrix product of
the dense side grows so), and prints the measured points, both formulas and
what each gives at 100,000 cases. Two points determine a line exactly: such a
fit is a trend, not a prediction.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

POINTS = Path(__file__).with_name("growth.json")
TARGET = 100_000


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(a, b) of cost = a * n^b, least squares in log-log space."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(c) for _, c in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    return math.exp(my - b * mx), b


def line(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(c, d) of cost = c + d * n, least squares."""
    mx = sum(n for n, _ in points) / len(points)
    my = sum(v for _, v in points) / len(points)
    d = sum((n - mx) * (v - my) for n, v in points) / sum((n - mx) ** 2 for n, _ in points)
    return my - d * mx, d


def main() -> None:
    data = json.loads(POINTS.read_text(encoding="utf-8"))
    print(f"| series | unit | measured (cases: value) | power law | at {TARGET:,} | straight line | at {TARGET:,} |")
    print("|---|---|---|---|---|---|---|")
    for series in data["series"]:
        points = [(float(n), float(v)) for n, v in series["points"]]
        a, b = fit(points)
        c, d = line(points)
        measured = ", ".join(f"{int(n):,}: {v:g}" for n, v in points)
        print(
            f"| {series['name']} | {series['unit']} | {measured} | {a:.3g} · n^{b:.2f} | {a * TARGET**b:,.3g} "
            f"| {c:.3g} + {d:.3g} · n | {c + d * TARGET:,.3g} |"
        )


if __name__ == "__main__":
    main()
