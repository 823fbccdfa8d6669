import math

import pytest

from etl import concentration as c

NINE_FIRMS = [25, 20, 15, 10, 8, 7, 6, 5, 4]


# --- HHI: worked examples of docs/METHODOLOGY.md §1.1 / §1.3----------------------------------------


def test_hhi_of_40_30_20_10_is_3000():
    assert c.hhi([40, 30, 20, 10]) == pytest.approx(3000)


def test_hhi_of_40_30_20_10_on_fraction_scale_is_0_30():
    assert c.hhi([0.4, 0.3, 0.2, 0.1], scale="fraction") == pytest.approx(0.30)


def test_equivalent_firms_of_40_30_20_10_is_3_33():
    assert c.equivalent_firms(c.hhi([40, 30, 20, 10])) == pytest.approx(3.33, abs=0.005)


def test_nine_firm_example_has_hhi_1540():
    assert c.hhi(NINE_FIRMS) == pytest.approx(1540)


def test_merging_two_smallest_of_nine_firms_gives_1580():
    assert c.post_merger_hhi(NINE_FIRMS, 7, 8) == pytest.approx(1580)
    assert c.delta_hhi(5, 4) == pytest.approx(40)


def test_merging_two_largest_of_nine_firms_gives_2540():
    assert c.post_merger_hhi(NINE_FIRMS, 0, 1) == pytest.approx(2540)
    assert c.delta_hhi(25, 20) == pytest.approx(1000)


def test_post_merger_hhi_equals_pre_merger_plus_delta_for_every_pair():
    pre = c.hhi(NINE_FIRMS)
    for i in range(len(NINE_FIRMS)):
        for j in range(len(NINE_FIRMS)):
            if i != j:
                expected = pre + c.delta_hhi(NINE_FIRMS[i], NINE_FIRMS[j])
                assert c.post_merger_hhi(NINE_FIRMS, i, j) == pytest.approx(expected)


def test_post_merger_hhi_accepts_negative_positions():
    assert c.post_merger_hhi(NINE_FIRMS, -2, -1) == pytest.approx(1580)


def test_five_equal_firms_give_2000():
    assert c.hhi([20] * 5) == pytest.approx(2000)


# --- HHI: properties --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shares",
    [[40, 30, 20, 10], NINE_FIRMS, [33.3, 33.3, 33.4], [70, 20, 5, 5], [12.5] * 8, [100]],
)
def test_fraction_scale_equals_percent_scale_divided_by_10000(shares):
    fractions = [s / 100 for s in shares]
    assert c.hhi(fractions, scale="fraction") == pytest.approx(c.hhi(shares) / 10_000)


@pytest.mark.parametrize(
    "shares", [[40, 30, 20, 10], NINE_FIRMS, [70, 20, 5, 5], [0, 50, 0, 50], [1.5, 98.5]]
)
def test_hhi_does_not_depend_on_order(shares):
    expected = c.hhi(shares)
    assert c.hhi(list(reversed(shares))) == pytest.approx(expected)
    assert c.hhi(sorted(shares)) == pytest.approx(expected)
    rotated = shares[1:] + shares[:1]
    assert c.hhi(rotated) == pytest.approx(expected)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 10, 50, 100])
def test_n_equal_firms_give_10000_over_n(n):
    assert c.hhi([100 / n] * n) == pytest.approx(10_000 / n)
    assert c.equivalent_firms(c.hhi([100 / n] * n)) == pytest.approx(n)


def test_monopoly_gives_10000():
    assert c.hhi([100]) == 10_000
    assert c.hhi([1.0], scale="fraction") == 1.0
    assert c.equivalent_firms(10_000) == 1


def test_hhi_accepts_numpy_arrays_and_pandas_series():
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    assert c.hhi(np.array([40, 30, 20, 10])) == pytest.approx(3000)
    assert c.hhi(pd.Series([40.0, 30.0, 20.0, 10.0])) == pytest.approx(3000)
    assert c.hhi(x for x in (40, 30, 20, 10)) == pytest.approx(3000)


def test_partial_share_list_gives_hhi_of_listed_firms():
    assert c.hhi([28, 21, 15]) == pytest.approx(1450)


@pytest.mark.parametrize(
    ("shares", "scale"),
    [([60, 40.4], "percent"), ([100.5], "percent"), ([0.6, 0.404], "fraction"), ([1.005], "fraction")],
)
def test_hhi_tolerates_rounding_up_to_half_a_point(shares, scale):
    assert c.hhi(shares, scale=scale) > 0


@pytest.mark.parametrize(
    ("shares", "scale", "message"),
    [
        ([50, -1, 30], "percent", "-1"),
        ([50, float("nan")], "percent", "nan"),
        ([50, float("inf")], "percent", "inf"),
        ([], "percent", "empty"),
        ([60, 50], "percent", "110"),
        ([100.6], "percent", "100.6"),
        ([0.6, 0.41], "fraction", "1.01"),
        ([50, "abc"], "percent", "abc"),
        ([50, None], "percent", "None"),
        ("4030", "percent", "string"),
        (42, "percent", "int"),
        ([40, 30, 20, 10], "basis_points", "basis_points"),
    ],
)
def test_hhi_rejects_invalid_input_with_a_message_naming_the_value(shares, scale, message):
    with pytest.raises(ValueError, match=message):
        c.hhi(shares, scale=scale)


def test_hhi_rejects_nan_from_pandas():
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="not finite"):
        c.hhi(pd.Series([50.0, None]))


# --- hhi_bounds -------------------------------------------------------------------------------


def test_uk_cma_aws_and_microsoft_at_30_percent_each_imply_hhi_of_at_least_1800():
    low, high = c.hhi_bounds([30, 30])
    assert low == pytest.approx(1800)
    assert high >= low
    # any actual split of the remaining 40% adds a positive amount, so the market is
    # highly concentrated under the 2023 US Guidelines even at the bottom of the ranges
    assert c.classify(c.hhi([30, 30, 10] + [1] * 30)) == "highly concentrated"


@pytest.mark.parametrize("aws", [30, 35, 40])
@pytest.mark.parametrize("microsoft", [30, 35])
def test_uk_cma_lower_bound_is_at_least_1800_across_the_ranges(aws, microsoft):
    assert c.hhi_bounds([aws, microsoft])[0] >= 1800


@pytest.mark.parametrize(
    ("shares", "low", "high"),
    [
        ([30, 20, 13, 4, 3, 2, 2, 2], 1506, 1554),  # Synergy Q2 2025
        ([28, 21, 15], 1450, 1936),  # Synergy Q4 2025
        ([33, 21, 10], 1630, 1966),  # Canalys Q1 2024
        ([30, 30], 1800, 2800),  # UK CMA, low end of both ranges
    ],
)
def test_hhi_bounds_reproduce_economics_md_worked_numbers(shares, low, high):
    assert c.hhi_bounds(shares) == pytest.approx((low, high))


@pytest.mark.parametrize(
    ("known", "completions"),
    [
        (
            [28, 21, 15],
            [[15, 15, 6], [12, 12, 12], [1] * 36, [10, 10, 10, 6], [15, 10, 5, 3, 3], [0.5] * 72],
        ),
        ([33, 21, 10], [[10, 10, 10, 6], [9] * 4, [6] * 6, [2] * 18, [10, 5, 5, 5, 5, 3, 3]]),
        ([30, 30], [[30, 10], [20, 20], [10] * 4, [30, 5, 5], [0.1] * 400]),
        ([50, 25], [[25], [20, 5], [5] * 5, [12.5, 12.5]]),
    ],
)
def test_hhi_bounds_contain_the_exact_hhi_of_hand_built_completions(known, completions):
    low, high = c.hhi_bounds(known)
    for rest in completions:
        assert math.fsum(known + rest) == pytest.approx(100)
        assert max(rest) <= min(known)
        exact = c.hhi(known + rest)
        assert low <= exact + 1e-9
        assert exact <= high + 1e-9


def test_hhi_bounds_upper_is_attained_by_packing_residual_into_largest_allowed_firms():
    assert c.hhi_bounds([28, 21, 15])[1] == pytest.approx(c.hhi([28, 21, 15, 15, 15, 6]))


@pytest.mark.parametrize("shares", [[40, 30, 20, 10], [100], [60, 40.3], NINE_FIRMS])
def test_hhi_bounds_collapse_when_known_shares_cover_the_market(shares):
    low, high = c.hhi_bounds(shares)
    assert low == high
    assert low == pytest.approx(c.hhi(shares))


def test_hhi_bounds_with_fraction_total():
    low, high = c.hhi_bounds([0.28, 0.21, 0.15], total=1.0)
    assert (low, high) == pytest.approx((0.1450, 0.1936))


def test_hhi_bounds_ignore_zero_shares_for_the_size_cap():
    assert c.hhi_bounds([50, 25, 0]) == pytest.approx(c.hhi_bounds([50, 25]))


@pytest.mark.parametrize(
    ("known", "total"),
    [([], 100), ([-5, 30], 100), ([float("nan")], 100), ([70, 40], 100), ([0, 0], 100), ([30], 0)],
)
def test_hhi_bounds_reject_invalid_input(known, total):
    with pytest.raises(ValueError):
        c.hhi_bounds(known, total=total)


# --- merger arithmetic and verdicts -----------------------------------------------------------


@pytest.mark.parametrize(("i", "j"), [(0, 0), (1, -8), (0, 9), (-10, 1), (0.5, 1)])
def test_post_merger_hhi_rejects_bad_positions(i, j):
    with pytest.raises(ValueError):
        c.post_merger_hhi(NINE_FIRMS, i, j)


@pytest.mark.parametrize(("s1", "s2"), [(-1, 10), (10, float("nan")), (101, 1)])
def test_delta_hhi_rejects_invalid_shares(s1, s2):
    with pytest.raises(ValueError):
        c.delta_hhi(s1, s2)


@pytest.mark.parametrize(
    ("hhi_post", "delta", "kwargs", "start"),
    [
        (1801, 101, {}, "Presumed to substantially lessen competition"),
        (2540, 1000, {}, "Presumed to substantially lessen competition"),
        (1800, 101, {}, "No structural presumption"),
        (1801, 100, {}, "No structural presumption"),
        (1580, 40, {}, "No structural presumption"),
        (1000, 101, {"combined_share_pct": 31}, "Presumed to substantially lessen competition"),
        (1000, 101, {"combined_share_pct": 30}, "No structural presumption"),
        (1000, 100, {"combined_share_pct": 45}, "No structural presumption"),
    ],
)
def test_merger_verdict_us2023_edges(hhi_post, delta, kwargs, start):
    assert c.merger_verdict(hhi_post, delta, "us2023", **kwargs).startswith(start)


def test_merger_verdict_us2023_names_the_guidelines_and_numbers():
    text = c.merger_verdict(2540, 1000)
    assert "2023 US Merger Guidelines" in text
    assert "2,540" in text and "1,000" in text


def test_merger_verdict_us2023_says_when_share_test_was_not_checked():
    assert "30%" in c.merger_verdict(1200, 150)
    assert "30%" not in c.merger_verdict(1200, 50)


@pytest.mark.parametrize(
    ("hhi_post", "delta", "start"),
    [
        (3000, 99, "Unlikely to have adverse competitive effects"),
        (1499, 150, "Unlikely to have adverse competitive effects"),
        (1580, 40, "Unlikely to have adverse competitive effects"),
        (1500, 101, "Potentially raises significant competitive concerns"),
        (2500, 101, "Potentially raises significant competitive concerns"),
        (2000, 100, "Not flagged"),
        (2501, 100, "Potentially raises significant competitive concerns"),
        (3000, 200, "Potentially raises significant competitive concerns"),
        (3000, 201, "Presumed likely to enhance market power"),
        (2540, 1000, "Presumed likely to enhance market power"),
    ],
)
def test_merger_verdict_us2010_edges(hhi_post, delta, start):
    assert c.merger_verdict(hhi_post, delta, "us2010").startswith(start)


@pytest.mark.parametrize(
    ("hhi_post", "delta", "start"),
    [
        (999, 400, "Horizontal concerns unlikely"),
        (1000, 249, "Horizontal concerns unlikely"),
        (1580, 40, "Horizontal concerns unlikely"),
        (1500, 250, "Outside the safe-harbour indicators"),
        (2000, 249, "Horizontal concerns unlikely"),
        (2001, 149, "Horizontal concerns unlikely"),
        (2001, 150, "Outside the safe-harbour indicators"),
        (2540, 1000, "Outside the safe-harbour indicators"),
    ],
)
def test_merger_verdict_eu2004_edges(hhi_post, delta, start):
    assert c.merger_verdict(hhi_post, delta, "eu2004").startswith(start)


@pytest.mark.parametrize(
    ("hhi_post", "delta", "guidelines"),
    [(2000, -1, "us2023"), (-5, 10, "us2023"), (float("nan"), 10, "us2010"), (2000, 100, "uk2024")],
)
def test_merger_verdict_rejects_invalid_input(hhi_post, delta, guidelines):
    with pytest.raises(ValueError):
        c.merger_verdict(hhi_post, delta, guidelines)


# --- bands, classify, verdict -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("hhi", "guidelines", "label"),
    [
        (0, "us2023", "unconcentrated"),
        (999.99, "us2023", "unconcentrated"),
        (1000, "us2023", "moderately concentrated"),
        (1800, "us2023", "moderately concentrated"),
        (1800.01, "us2023", "highly concentrated"),
        (10_000, "us2023", "highly concentrated"),
        (1499.99, "us2010", "unconcentrated"),
        (1500, "us2010", "moderately concentrated"),
        (2500, "us2010", "moderately concentrated"),
        (2500.01, "us2010", "highly concentrated"),
        (999.99, "eu2004", "low concentration"),
        (1000, "eu2004", "moderate concentration"),
        (2000, "eu2004", "moderate concentration"),
        (2000.01, "eu2004", "high concentration"),
    ],
)
def test_classify_at_band_edges(hhi, guidelines, label):
    assert c.classify(hhi, guidelines) == label


def test_classify_ignores_float_noise_at_an_edge():
    h = c.hhi([0.3, 0.3], scale="fraction") * 10_000
    assert c.classify(h) == "moderately concentrated"


def test_classify_defaults_to_us2023():
    assert c.classify(3000) == "highly concentrated"
    assert c.classify(1540) == "moderately concentrated"


@pytest.mark.parametrize(
    ("hhi", "guidelines", "expected"),
    [
        (3000, "us2023", "Highly concentrated under the 2023 US Merger Guidelines (HHI above 1,800)"),
        (1800, "us2023", "Moderately concentrated under the 2023 US Merger Guidelines (HHI 1,000 to 1,800)"),
        (999, "us2023", "Unconcentrated under the 2023 US Merger Guidelines (HHI below 1,000)"),
        (
            1500,
            "us2010",
            "Moderately concentrated under the 2010 US Horizontal Merger Guidelines (HHI 1,500 to 2,500)",
        ),
        (
            2501,
            "us2010",
            "Highly concentrated under the 2010 US Horizontal Merger Guidelines (HHI above 2,500)",
        ),
        (1499, "us2010", "Unconcentrated under the 2010 US Horizontal Merger Guidelines (HHI below 1,500)"),
    ],
)
def test_verdict_sentences(hhi, guidelines, expected):
    assert c.verdict(hhi, guidelines) == expected


@pytest.mark.parametrize(
    ("hhi", "fragment"),
    [(999, "below 1,000"), (1000, "under 250"), (2000, "under 250"), (2001, "under 150")],
)
def test_verdict_eu2004_states_the_safe_harbour_delta(hhi, fragment):
    text = c.verdict(hhi, "eu2004")
    assert "2004 EU Horizontal Merger Guidelines" in text
    assert fragment in text


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), 20_000, "high"])
def test_classify_rejects_invalid_hhi(bad):
    with pytest.raises(ValueError):
        c.classify(bad)


def test_classify_and_verdict_reject_unknown_guidelines():
    with pytest.raises(ValueError, match="uk2024"):
        c.classify(1000, "uk2024")
    with pytest.raises(ValueError, match="uk2024"):
        c.verdict(1000, "uk2024")


@pytest.mark.parametrize("key", ["us2023", "us2010", "eu2004"])
def test_bands_are_ordered_contiguous_and_cover_0_to_10000(key):
    bands = c.BANDS[key]
    assert bands[0].low == 0
    assert bands[-1].high == 10_000
    for lower, upper in zip(bands, bands[1:], strict=False):
        assert lower.high == upper.low
        assert lower.low < lower.high
    for label, low, high in bands:
        assert c.classify((low + high) / 2, key) == label
    assert c.BAND_SOURCES[key]
    assert c.GUIDELINE_NAMES[key]


def test_band_edges_match_economics_md():
    assert [b.high for b in c.BANDS["us2023"]][:-1] == [1000, 1800]
    assert [b.high for b in c.BANDS["us2010"]][:-1] == [1500, 2500]
    assert [b.high for b in c.BANDS["eu2004"]][:-1] == [1000, 2000]


# --- CRk, equivalent firms --------------------------------------------------------------------


def test_cr4_sums_the_four_largest_shares_in_any_order():
    assert c.cr([10, 40, 5, 20, 30], k=4) == pytest.approx(100)
    assert c.cr(NINE_FIRMS) == pytest.approx(70)
    assert c.cr(NINE_FIRMS, k=1) == pytest.approx(25)


@pytest.mark.parametrize("k", [3, 4, 10])
def test_cr_with_k_larger_than_number_of_firms_sums_everything(k):
    assert c.cr([50, 20], k=k) == pytest.approx(70)


@pytest.mark.parametrize("k", [0, -1, 2.5])
def test_cr_rejects_bad_k(k):
    with pytest.raises(ValueError):
        c.cr([50, 50], k=k)


@pytest.mark.parametrize("bad", [0, -100, float("nan")])
def test_equivalent_firms_rejects_non_positive_hhi(bad):
    with pytest.raises(ValueError):
        c.equivalent_firms(bad)


# --- Gini and Lorenz --------------------------------------------------------------------------


@pytest.mark.parametrize("values", [[5], [1, 1], [3.0] * 7, [0.1] * 10, [1e9] * 3])
def test_gini_of_equal_values_is_zero(values):
    assert c.gini(values) == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("n", [2, 4, 10, 100])
def test_gini_of_one_holder_among_n_is_n_minus_1_over_n(n):
    assert c.gini([0] * (n - 1) + [1]) == pytest.approx((n - 1) / n)


def test_gini_worked_example_and_order_independence():
    assert c.gini([0, 0, 0, 1]) == pytest.approx(0.75)
    assert c.gini([1, 0, 0, 0]) == pytest.approx(0.75)


def test_gini_matches_mean_absolute_difference_definition():
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    n = len(values)
    mean = sum(values) / n
    mad = sum(abs(a - b) for a in values for b in values) / (2 * n * n * mean)
    assert c.gini(values) == pytest.approx(mad)


@pytest.mark.parametrize("bad", [[], [0, 0], [1, -1], [float("nan"), 1]])
def test_gini_rejects_invalid_input(bad):
    with pytest.raises(ValueError):
        c.gini(bad)


def test_lorenz_endpoints_and_length():
    xs, ys = c.lorenz([40, 30, 20, 10])
    assert len(xs) == len(ys) == 5
    assert xs[0] == 0 and ys[0] == 0
    assert xs[-1] == 1 and ys[-1] == 1
    assert ys == pytest.approx([0, 0.1, 0.3, 0.6, 1.0])
    assert xs == pytest.approx([0, 0.25, 0.5, 0.75, 1.0])


def test_lorenz_is_non_decreasing_and_below_the_diagonal():
    xs, ys = c.lorenz([7, 1, 3, 0, 12, 5])
    assert all(b >= a for a, b in zip(ys, ys[1:], strict=False))
    assert all(y <= x + 1e-12 for x, y in zip(xs, ys, strict=True))


def test_lorenz_of_equal_values_is_the_diagonal():
    xs, ys = c.lorenz([2, 2, 2, 2])
    assert ys == pytest.approx(xs)


def test_lorenz_rejects_all_zero_values():
    with pytest.raises(ValueError):
        c.lorenz([0, 0, 0])


# --- Nakamoto ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([40, 30, 20, 10], 2),
        ([60, 40], 1),
        ([50, 50], 2),
        ([10] * 10, 6),
        ([0.1] * 10, 6),
        ([1, 2, 3, 4, 90], 1),
        ([6, 1, 1, 1, 1], 1),
        ([5, 1, 1, 1, 1, 1], 2),
        ([3, 1, 1, 1], 2),
        ([100], 1),
    ],
)
def test_nakamoto_strictly_more_than_half(values, expected):
    assert c.nakamoto(values) == expected


def test_nakamoto_non_strict_counts_exactly_half():
    assert c.nakamoto([10] * 10, strict=False) == 5
    assert c.nakamoto([50, 50], strict=False) == 1


def test_nakamoto_bft_one_third_threshold():
    assert c.nakamoto([10] * 10, threshold=1 / 3) == 4
    assert c.nakamoto([34, 33, 33], threshold=1 / 3) == 1


def test_nakamoto_values_need_not_be_normalised():
    assert c.nakamoto([4000, 3000, 2000, 1000]) == c.nakamoto([0.4, 0.3, 0.2, 0.1]) == 2


@pytest.mark.parametrize(
    ("values", "kwargs"),
    [
        ([], {}),
        ([0, 0, 0], {}),
        ([1, -1], {}),
        ([1, 2], {"threshold": 1.0}),
        ([1, 2], {"threshold": -0.1}),
        ([1, 2], {"threshold": 1.5}),
    ],
)
def test_nakamoto_rejects_invalid_input(values, kwargs):
    with pytest.raises(ValueError):
        c.nakamoto(values, **kwargs)


# --- shares_from_values -----------------------------------------------------------------------


def test_shares_from_values_sum_to_100_and_keep_order():
    shares = c.shares_from_values([8, 8, 4, 1, 3])
    assert math.fsum(shares) == pytest.approx(100)
    assert shares == pytest.approx([100 * v / 24 for v in [8, 8, 4, 1, 3]])
    assert c.hhi(shares) > 0


def test_shares_from_values_feeds_hhi_for_gpu_counts():
    assert c.hhi(c.shares_from_values([8] * 10)) == pytest.approx(1000)


@pytest.mark.parametrize("bad", [[], [0, 0], [3, -1]])
def test_shares_from_values_rejects_invalid_input(bad):
    with pytest.raises(ValueError):
        c.shares_from_values(bad)


# --- entry_hhi --------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 5, 100])
def test_entry_hhi_with_no_entry_equals_incumbents_hhi(n):
    assert c.entry_hhi([40, 30, 20, 10], 0, n) == pytest.approx(3000)


def test_entry_hhi_closed_form():
    # 90% of 40/30/20/10 keeps HHI 0.81 * 3000; ten entrants of 1% add 10 * 1 = 10
    assert c.entry_hhi([40, 30, 20, 10], 10, 10) == pytest.approx(0.81 * 3000 + 10)
    assert c.entry_hhi([40, 30, 20, 10], 10, 10) == pytest.approx(c.hhi([36, 27, 18, 9] + [1] * 10))


def test_entry_hhi_falls_when_entry_is_spread_thinly():
    base = c.entry_hhi([40, 30, 20, 10], 0, 1)
    values = [c.entry_hhi([40, 30, 20, 10], e, 50) for e in (0, 5, 10, 20, 40)]
    assert values[0] == pytest.approx(base)
    assert all(b < a for a, b in zip(values, values[1:], strict=False))


def test_entry_hhi_falls_as_the_same_entry_is_split_among_more_operators():
    values = [c.entry_hhi([40, 30, 20, 10], 20, n) for n in (1, 2, 5, 20, 1000)]
    assert all(b < a for a, b in zip(values, values[1:], strict=False))
    assert values[-1] == pytest.approx(0.64 * 3000, abs=1)


def test_entry_hhi_rises_when_one_entrant_takes_a_large_share():
    assert c.entry_hhi([40, 30, 20, 10], 50, 1) == pytest.approx(0.25 * 3000 + 2500)
    assert c.entry_hhi([40, 30, 20, 10], 50, 1) > 3000
    assert c.entry_hhi([25, 25, 25, 25], 60, 1) > c.hhi([25, 25, 25, 25])


def test_entry_hhi_keeps_incumbents_relative_shares():
    # a 100% entry by n equal operators leaves only the entrants
    assert c.entry_hhi([40, 30, 20, 10], 100, 4) == pytest.approx(2500)


@pytest.mark.parametrize(
    ("incumbents", "entry", "n"),
    [
        ([40, 30, 20, 10], -1, 5),
        ([40, 30, 20, 10], 101, 5),
        ([40, 30, 20, 10], 10, 0),
        ([40, 30, 20, 10], 10, 2.5),
        ([60, 50], 10, 5),
        ([], 10, 5),
    ],
)
def test_entry_hhi_rejects_invalid_input(incumbents, entry, n):
    with pytest.raises(ValueError):
        c.entry_hhi(incumbents, entry, n)


# --- simulators (merger and entry on an HHI interval) -------------------------------------------


def test_merger_of_a_fully_listed_market_is_exact():
    sim = c.simulate_merger([50.0, 30.0, 20.0], 1, 2, (3_800.0, 3_800.0), bounded=False)
    assert sim.after == (pytest.approx(5_000.0), pytest.approx(5_000.0))  # 50² + 50²
    assert sim.delta == pytest.approx(1_200.0) and sim.combined_share_pct == 50.0
    assert sim.before == (3_800.0, 3_800.0)


def test_merger_in_a_truncated_list_moves_both_bounds_by_delta():
    # Synergy Q4 2025: 28/21/15 published, HHI 1,450 to 1,936
    sim = c.simulate_merger([28.0, 21.0, 15.0], 0, 1, (1_450.0, 1_936.0), bounded=True)
    assert sim.delta == pytest.approx(2 * 28 * 21)
    assert sim.after == (pytest.approx(1_450 + 1_176), pytest.approx(1_936 + 1_176))
    assert sim.combined_share_pct == 49.0


def test_entry_from_an_hhi_matches_entry_hhi_on_the_firms():
    firms = [40.0, 30.0, 20.0, 10.0]
    assert c.entry_hhi_from_index(c.hhi(firms), 20, 10) == pytest.approx(c.entry_hhi(firms, 20, 10))
    assert c.entry_hhi_from_index(12_000.0, 0, 1) == pytest.approx(10_000.0)  # capped at a monopoly


def test_entry_simulation_lowers_both_ends_and_reports_the_midpoint_change():
    sim = c.simulate_entry((2_000.0, 3_000.0), 50, 100)
    assert sim.after == (pytest.approx(0.25 * 2_000 + 25), pytest.approx(0.25 * 3_000 + 25))
    assert sim.change == pytest.approx((sum(sim.after) - 5_000) / 2)
    assert sim.equivalent_firms == (pytest.approx(10_000 / sim.after[1]), pytest.approx(10_000 / sim.after[0]))
    assert c.simulate_entry((2_000.0, 3_000.0), 0, 50).after == (pytest.approx(2_000.0), pytest.approx(3_000.0))
