"""The as-of units query (sql/prices_units.sql with a date) hands the headlines and the ladder exactly
what they would take from every unit: the same figures on every date, region, segment and price type."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest


def _dates(every: pd.DataFrame) -> list[dt.date]:
    days = sorted(set(every["day"]))
    first, last = days[0], days[-1]
    picks = set(days[:: max(1, len(days) // 12)])  # spread over the whole span
    picks |= {first, last, first - dt.timedelta(days=1), last + dt.timedelta(days=200), dt.date.today()}
    return sorted(picks)


@pytest.mark.captures
def test_as_of_units_give_the_headlines_and_ladder_of_every_unit(replayed_db):
    from dashboard.data import prices as data
    from dashboard.model import prices as model

    gpu = "H100 SXM"
    every = data.units(gpu)
    compared = 0
    for price_type in sorted(every["price_type"].unique()):
        all_days = data.units(gpu, price_type)
        for as_of in _dates(all_days):
            pushed = data.units(gpu, price_type, as_of)
            assert len(pushed) <= len(all_days)
            assert not pushed["outlier"].any() and (pushed["day"] <= as_of).all()
            for geo in model.GEOS:
                pd.testing.assert_frame_equal(
                    model.headline_table(pushed, gpu, price_type, geo, as_of),
                    model.headline_table(all_days, gpu, price_type, geo, as_of), obj=f"{price_type} {geo} {as_of}")
                for segment in ("all", *model.SEGMENTS):
                    pd.testing.assert_frame_equal(
                        model.ladder(pushed, price_type, geo, as_of, segment=segment),
                        model.ladder(all_days, price_type, geo, as_of, segment=segment),
                        obj=f"ladder {price_type} {geo} {segment} {as_of}")
                compared += 1
    assert compared > 50  # several price types x dates x regions actually compared


@pytest.mark.captures
def test_as_of_units_are_far_fewer_than_every_day(replayed_db):
    from dashboard.data import prices as data

    every = data.units("H100 SXM", "on_demand")
    pushed = data.units("H100 SXM", "on_demand", max(every["day"]))
    # one newest day per provider, segment and geo: marketplaces' machines of that day, one row elsewhere
    assert 0 < len(pushed) < len(every) / 2
    keys = ["segment", "provider", "geo"]
    assert (pushed.groupby(keys, dropna=False)["day"].nunique() == 1).all()
