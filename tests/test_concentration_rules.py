"""The published-list rules of etl.concentration (residual, completeness, normalisation, gaps), pure, by hand."""

from __future__ import annotations

import pytest

from etl import concentration as c


def E(name, share, low=None, high=None, value=None):  # noqa: N802 - reads like the row it builds
    return c.Entity(name, share, low, high, value)


@pytest.mark.parametrize("total, residual, complete", [
    (63.0, 37.0, False),    # Synergy's top three: 37% unpublished
    (99.5, 0.5, True),      # within rounding of the whole market
    (99.4, 0.6, False),
    (100.0, 0.0, True),
    (100.3, 0.0, True),     # over 100 leaves no residual
])
def test_residual_is_100_minus_the_listed_total_and_half_a_point_is_rounding(total, residual, complete):
    assert c.residual_pct(total) == pytest.approx(residual)
    assert c.is_complete(total) is complete


def test_duplicates_are_added_with_a_note_and_sorted_largest_first():
    notes: list[str] = []
    merged = c.merge_duplicates([E("B", 10, 8, 12), E("A", 20), E("B", 5, 4, 6)], notes)
    assert [(e.name, e.share, e.low, e.high) for e in merged] == [("A", 20, None, None), ("B", 15, 12, 18)]
    assert notes == ["B listed twice; shares added"]


def test_normalising_scales_over_100_with_a_note_only_beyond_noise_and_refuses_beyond_105():
    notes: list[str] = []
    listed = [E("A", 40, 36, 44), E("B", 35), E("C", 27)]
    assert c.normalise(listed, notes) == 100.0
    assert [e.share for e in listed] == pytest.approx([40 * 100 / 102, 35 * 100 / 102, 27 * 100 / 102])
    assert (listed[0].low, listed[0].high) == pytest.approx((36 * 100 / 102, 44 * 100 / 102))
    assert notes == ["published shares sum to 102.0%; scaled to 100%"]
    quiet: list[str] = []
    noise = [E("A", 60.03), E("B", 40)]
    assert c.normalise(noise, quiet) == 100.0 and quiet == []
    assert sum(e.share for e in noise) == pytest.approx(100)
    under = [E("A", 30), E("B", 20)]
    assert c.normalise(under, quiet) == 50 and [e.share for e in under] == [30, 20]
    with pytest.raises(ValueError, match="sum to 150.0%, beyond rounding"):
        c.normalise([E("A", 90), E("B", 60)], [])


def test_a_complete_list_has_an_exact_hhi_and_no_bounds():
    ix = c.list_indices([E("A", 40), E("B", 30), E("C", 20), E("D", 10)])
    assert not ix.bounded and ix.hhi == ix.hhi_low == ix.hhi_high == pytest.approx(3000)
    assert (ix.cr4, ix.cr4_high, ix.nakamoto, ix.residual) == (100, 100, 2, 0)
    assert ix.gini_scope == "all entities"


def test_top_three_cloud_list_gives_the_hhi_bounds_and_the_cr4_and_nakamoto_rules():
    # Synergy Q4 2025: AWS 28, Microsoft 21, Google 15 -> HHI 1,450 to 1,936 (docs/METHODOLOGY.md §1.4)
    ix = c.list_indices([E("AWS", 28), E("Microsoft", 21), E("Google", 15)])
    assert ix.bounded and (ix.hhi_low, ix.hhi_high) == pytest.approx((1450, 1936))
    assert ix.hhi == pytest.approx((1450 + 1936) / 2)
    assert ix.residual == pytest.approx(36)
    # the fourth place is held by a firm no larger than Google (15)
    assert ix.cr4 == 64 and ix.cr4_high == pytest.approx(79)
    # 64% listed passes half of the market: AWS + Microsoft = 49 < 50, plus Google -> 3 firms
    assert ix.nakamoto == 3
    assert ix.gini_scope == "the 3 listed firms only"


def test_missing_usual_leaders_cap_the_residual_at_the_largest_listed_firm():
    ix = c.list_indices([E("AWS", 34), E("Salesforce", 3), E("Oracle", 2)], gaps=["Microsoft", "Google"],
                        larger_missing=True)
    assert ix.hhi_high == pytest.approx(c.hhi_upper_capped([34, 3, 2], 34))
    assert ix.cr4_high == pytest.approx(min(100, 39 + 61))
    assert ix.nakamoto is None
    assert "Microsoft, Google" in ix.method
    assert any("not published this period: Microsoft, Google" in n for n in ix.notes)


def test_published_ranges_widen_the_bounds_only_when_their_high_ends_fit_in_100():
    # UK CMA 2024: AWS and Microsoft 30-40% each, Google 0-10%
    ix = c.list_indices([E("AWS", 35, 30, 40), E("Microsoft", 35, 30, 40), E("Google", 5, 0, 10)])
    assert ix.hhi_low == pytest.approx(30**2 + 30**2)
    assert ix.hhi_high == pytest.approx(max(c.hhi_bounds([35, 35, 5])[1], c.hhi_bounds([40, 40, 10])[1]))


def test_a_list_without_a_positive_share_is_refused():
    with pytest.raises(ValueError, match="no positive share"):
        c.list_indices([E("A", 0), E("B", None)])


def test_gaps_are_the_regular_firms_missing_from_an_incomplete_list():
    by_period = {
        "2023Q1": [E("AWS", 32), E("Microsoft", 22), E("Google", 11)],
        "2022Q2": [E("AWS", 34), E("Salesforce", 3), E("Oracle", 2)],
        "full": [E("X", 60), E("Y", 39.6)],
    }
    regular = {"AWS": 33, "Microsoft": 22, "Google": 11, "Oracle": 2}
    gaps = c.listing_gaps(by_period, regular, n_periods=3)
    assert gaps["2022Q2"] == (["Microsoft", "Google"], True)  # Microsoft ~22% > Oracle's 2%
    assert gaps["2023Q1"] == (["Oracle"], False)  # Oracle ~2% is smaller than Google's 11
    assert gaps["full"] == ([], False)  # 99.6% covers the market
    assert c.listing_gaps(by_period, regular, n_periods=1)["2022Q2"] == ([], False)


def test_regular_firms_are_listed_in_at_least_half_the_periods_with_their_median_share():
    by_period = {
        "q1": [E("AWS", 30), E("Microsoft", 20), E("Oracle", 2)],
        "q2": [E("AWS", 32), E("Microsoft", 22)],
        "q3": [E("AWS", 34), E("Google", 11)],
        "q4": [E("AWS", 36), E("Microsoft", 24)],
    }
    assert c.regular_firms(by_period) == {"AWS": 33, "Microsoft": 22}
    assert c.regular_firms({"q1": [E("A", 10)], "q2": [E("B", 5)]}) == {"A": 10, "B": 5}  # one of two is half
