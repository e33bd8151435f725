"""Fit how each cost grows with the number of cases and extrapolate to 100,000.

    python benchmarks/growth.py            # reads benchmarks/growth.json, prints the table

``growth.json`` holds points measured by the other benchmarks (each with the
script and the date it came from). For each series the script fits a power law
``cost = a * n^b`` by least squares on log(n), log(cost) and prints the measured
points, the fitted formula and the value it gives at 100,000 cases. Two points
determine the line exactly: such a fit is a trend, not a prediction.
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


def main() -> None:
    data = json.loads(POINTS.read_text(encoding="utf-8"))
    print(f"| series | unit | measured (cases: value) | fit | at {TARGET:,} |")
    print("|---|---|---|---|---|")
    for series in data["series"]:
        points = [(float(n), float(v)) for n, v in series["points"]]
        a, b = fit(points)
        measured = ", ".join(f"{int(n):,}: {v:g}" for n, v in points)
        print(f"| {series['name']} | {series['unit']} | {measured} | {a:.3g} · n^{b:.2f} | {a * TARGET**b:,.3g} |")


if __name__ == "__main__":
    main()
