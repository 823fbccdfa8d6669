"""ui.figure and ui.cached: one build per distinct input, shared figures, private copies of model results."""

from __future__ import annotations

import pandas as pd

from dashboard import ui
from dashboard.charts import lines

CALLS: list[str] = []


def built(frame: pd.DataFrame, *, title: str):
    CALLS.append(title)
    return lines(frame, x="day", y="v", series="s", title=title)


def doubled(frame: pd.DataFrame) -> pd.DataFrame:
    CALLS.append("doubled")
    return frame.assign(v=frame["v"] * 2)


def _frame(values) -> pd.DataFrame:
    return pd.DataFrame({"day": pd.date_range("2026-01-01", periods=len(values)), "v": values, "s": "a"})


def test_a_figure_is_built_once_per_distinct_input_and_shared():
    CALLS.clear()
    first = ui.figure(built, _frame([1, 2, 3]), title="t")
    again = ui.figure(built, _frame([1, 2, 3]), title="t")  # an equal frame, built anew: same key
    assert again is first and CALLS == ["t"]
    other = ui.figure(built, _frame([1, 2, 4]), title="t")
    titled = ui.figure(built, _frame([1, 2, 3]), title="u")
    assert other is not first and list(other.data[0].y) == [1, 2, 4]
    assert titled.layout.title.text == "u" and CALLS == ["t", "t", "u"]


def test_a_model_result_is_computed_once_and_each_caller_gets_a_copy():
    CALLS.clear()
    first = ui.cached(doubled, _frame([1, 2]))
    first.loc[0, "v"] = -1  # a caller changing its result leaves the next caller's alone
    again = ui.cached(doubled, _frame([1, 2]))
    assert list(again["v"]) == [2, 4] and CALLS == ["doubled"]
