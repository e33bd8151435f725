"""Workshop agendas: a half day and a full day, with times, built around the pack's cases.

Both end the same way, because that is where a regency decides: the cases
side by side, a clinic where each region maps its own problem to them, the
follow-up plan (RTL), and the evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

from jipp_kb.render.i18n import Strings


@dataclass(frozen=True)
class AgendaBlock:
    start: int
    """Minutes after midnight."""
    minutes: int
    title: str
    note: str


AGENDA_START = 8 * 60


@dataclass(frozen=True)
class DayPlan:
    """The shape of one agenda: minutes for every case together, and the bounds of one case's session."""

    key: str
    opening: int
    case_total: int
    case_min: int
    case_max: int
    discuss_share: float
    after_cases: tuple[tuple[str, int], ...]
    """Sessions after the cases, by string key, with their minutes."""
    lunch: bool = False


DAYS: dict[str, DayPlan] = {
    "half": DayPlan("half", 15, 90, 10, 25, 0.4, (("break", 15), ("matrix", 20), ("clinic", 40), ("rtl", 40), ("closing", 15))),
    "full": DayPlan(
        "full",
        30,
        180,
        20,
        45,
        0.5,
        (("lunch", 60), ("group", 45), ("matrix", 30), ("break", 15), ("clinic", 60), ("rtl", 60), ("closing", 15)),
        lunch=True,
    ),
}
"""A half day (about four hours) and a full day (about eight, with lunch): both end with the clinic and the RTL."""


def _fives(minutes: float) -> int:
    return max(5, int(minutes) // 5 * 5)


def plan(titles: list[tuple[str, str]], t: Strings, day: str = "half") -> list[AgendaBlock]:
    """Opening, one session per case (presentation, then discussion; a break half-way in a full day),
    then the comparison, a clinic on the participants' own problems, the RTL and the evaluation."""
    shape = DAYS[day]
    n = max(len(titles), 1)
    per_case = max(shape.case_min, min(shape.case_max, _fives(shape.case_total / n)))
    discuss = min(per_case - 5, _fives(per_case * shape.discuss_share))
    sessions: list[tuple[int, str, str]] = [(shape.opening, t("pack.agenda.opening"), t("pack.agenda.opening_note"))]
    half = (len(titles) + 1) // 2
    for i, (title, region_) in enumerate(titles, 1):
        note = t("pack.agenda.case_note", region=region_, present=per_case - discuss, discuss=discuss)
        sessions.append((per_case, t("pack.agenda.case", n=i, title=title), note))
        if shape.lunch and i == half and len(titles) > 1:
            sessions.append((15, t("pack.agenda.break"), ""))
    for key, minutes in shape.after_cases:
        sessions.append((minutes, t(f"pack.agenda.{key}"), t(f"pack.agenda.{key}_note")))
    blocks, at = [], AGENDA_START
    for minutes, title, note in sessions:
        blocks.append(AgendaBlock(at, minutes, title, note))
        at += minutes
    return blocks


def clock(minutes: int, t: Strings) -> str:
    return f"{minutes // 60:02d}{t('pack.agenda.time_sep')}{minutes % 60:02d}"
