"""The declared-market rules of etl.concentration (docs/METHODOLOGY.md §1.6-§1.11), pure, numbers by hand."""

from __future__ import annotations

import pytest

from etl import concentration as c


def offer(day, machine, host, num, frac, model="H100 SXM", capped=False):
    return c.MachineOffer(day, model, machine, host, num, frac, capped)


# --------------------------------------------------------------------------- per-machine counting (§1.7)

def test_a_machine_is_its_whole_gpu_count_from_any_slice():
    # a 1-GPU slice at 1/8 and a 4-GPU slice at 1/2 of the same box: 8 GPUs, not 1 + 4
    assert c.machine_gpus([(1, 0.125), (4, 0.5)]) == 8
    assert c.machine_gpus([(2, 0.25)]) == 8  # a machine listed by one slice only is still 8 GPUs
    assert c.machine_gpus([(1, None), (4, None), (2, None)]) == 4  # no fraction: its largest offer
    assert c.machine_gpus([(3, 0.34)]) == 9  # round(8.8)
    assert c.machine_gpus([(0, 0.0), (None, 0.5)]) == 0


def test_each_machine_is_counted_once_a_day_and_hosts_sum_their_machines():
    offers = [offer("d1", "m1", "h1", 1, 0.125), offer("d1", "m1", "h1", 4, 0.5), offer("d1", "m1", "h1", 8, 1.0),
              offer("d1", "m2", "h1", 2, 1.0), offer("d1", "m3", "h2", 1, 0.25),
              offer("d1", "m1", "h1", 8, 1.0),  # a second snapshot the same day: not counted again
              offer("d1", "m9", "h3", 4, 1.0, model="H200")]
    caps = {(x.day, x.gpu_model): x for x in c.host_capacity(offers)}
    h100 = caps[("d1", "H100 SXM")]
    assert h100.hosts == {"h1": 10, "h2": 4} and h100.machines == 3 and not h100.capped
    assert caps[("d1", "H200")].hosts == {"h3": 4}
    shares = c.shares_from_values(h100.hosts.values())
    assert c.hhi(shares) == pytest.approx((100 * 10 / 14) ** 2 + (100 * 4 / 14) ** 2)


def test_a_capped_query_flags_that_model_and_day_only_and_the_pooled_variant_inherits_it():
    offers = [offer("d1", "m1", "h1", 4, 1.0, capped=True), offer("d1", "m2", "h2", 2, 1.0, model="H200"),
              offer("d2", "m1", "h1", 4, 1.0)]
    caps = {(x.day, x.gpu_model): x.capped for x in c.host_capacity(offers)}
    assert caps == {("d1", "H100 SXM"): True, ("d1", "H200"): False, ("d2", "H100 SXM"): False}
    pooled = {p.day: p for p in c.pooled(c.host_capacity(offers))}
    assert pooled["d1"].hosts == {"h1": 4, "h2": 2} and pooled["d1"].capped and pooled["d1"].gpu_model is None
    assert pooled["d1"].models == ("H100 SXM", "H200") and not pooled["d2"].capped


# --------------------------------------------------------------------------- owners (§1.8)

def test_undisclosed_owners_lumped_is_the_upper_bound_fragmented_the_lower():
    shares = {"Undisclosed owner (China)": 42.0, "Meta": 20.0, "Microsoft": 18.0, "Undisclosed owner": 10.0,
              "Google": 10.0}
    low, high, hidden = c.undisclosed_interval(shares, ["Undisclosed owner (China)", "Undisclosed owner"])
    assert low == pytest.approx(400 + 324 + 100)
    assert high == pytest.approx(824 + 42 ** 2 + 10 ** 2)
    assert hidden == pytest.approx(52)


def test_a_group_share_bounds_the_hhi_by_equal_members_and_one_dominant_firm():
    low, high = c.group_share_bounds(60, 5, others_pct=5)
    assert (low, high) == pytest.approx((720, 95 ** 2 + 25))
    with pytest.raises(ValueError):
        c.group_share_bounds(97, 5, others_pct=5)


# --------------------------------------------------------------------------- basis breaks (§1.9)

def test_a_change_of_basis_starts_a_new_series_and_never_joins_it():
    assert c.basis_series(["shipments", "shipments", "revenue"]) == [0, 0, 1]
    assert c.basis_series(["revenue", "shipments", "revenue"]) == [0, 1, 0]
    assert c.basis_series([None, "revenue"]) == [0, 1]


# --------------------------------------------------------------------------- published tail (§1.10)

USUAL = ["AWS", "Microsoft", "Google"]


def test_a_tail_is_the_usual_firms_plus_three_more():
    assert c.is_tail(USUAL + ["Alibaba", "Oracle", "IBM"], USUAL)
    assert not c.is_tail(USUAL + ["Oracle"], USUAL)  # one extra firm is not the source's ranking
    assert not c.is_tail(["AWS", "Salesforce", "Tencent", "Oracle"], USUAL)  # usual firms missing


def test_the_cap_is_the_largest_unlisted_tail_firm_else_where_the_tail_stops():
    tail = {"AWS": 30, "Microsoft": 20, "Google": 13, "Alibaba": 4, "Oracle": 3, "IBM": 2, "Tencent": 2}
    assert c.tail_cap(USUAL, tail) == (4, "Alibaba")
    assert c.tail_cap(USUAL + ["Oracle"], tail) == (4, "Alibaba")  # Oracle listed, Alibaba is not
    assert c.tail_cap(list(tail), tail) == (2, "IBM")  # everything listed: beyond the tail, at most 2%
    assert c.tail_cap(USUAL, {}) is None


def test_the_residual_cap_from_a_published_tail_narrows_the_cloud_interval():
    # Synergy 2025Q4 (28/21/15, 36% unpublished): capped at the smallest listed 15% -> 1,936;
    # capped at Synergy's next firm (Alibaba 4%) -> 1,450 + 9 x 16 = 1,594
    assert c.capped_interval([28, 21, 15], 15) == pytest.approx((1450, 1936))
    assert c.capped_interval([28, 21, 15], 4) == pytest.approx((1450, 1594))
    low, high = c.capped_interval([28, 21, 15, 1.26], 4)  # with CoreWeave's published 1.26%
    assert low == pytest.approx(1450 + 1.26 ** 2) and high == pytest.approx(low + 8 * 16 + (34.74 - 32) ** 2)


# --------------------------------------------------------------------------- withhold rule (§1.11)

def test_a_capped_sample_is_withheld_whatever_its_hhi():
    assert c.withhold_reason(2775, 2775, capped=True).startswith("sample capped")


def test_low_coverage_is_withheld_and_says_the_coverage():
    why = c.withhold_reason(879, 956, coverage_pct=20, coverage_text="10-20%")
    assert why.startswith("coverage 10-20% of the market")
    assert c.withhold_reason(879, 956, coverage_pct=60) is None


def test_bounds_across_every_band_are_withheld_and_one_threshold_is_not():
    assert "span every band" in c.withhold_reason(720, 9050)
    assert c.withhold_reason(1450, 1936) is None
    assert c.withhold_reason(900, 1900, guidelines="us2010") is None  # 900-1,900 is two of three US 2010 bands


# --------------------------------------------------------------------------- readings (§1.11)

def test_reading_inside_one_band():
    assert c.reading(1304, 1304) == "Moderately concentrated under the 2023 US Merger Guidelines: HHI 1,304."
    text = c.reading(1452, 1587, low_assumption="x", high_assumption="y")
    assert text.endswith("HHI 1,452 to 1,587, whichever assumption holds.") and " if " not in text


def test_reading_at_a_threshold_keeps_the_middle_band_and_says_so():
    text = c.reading(1800, 1800)
    assert text.startswith("Moderately concentrated") and "at the 1,800 threshold" in text
    assert c.reading(1000, 1000, "eu2004").startswith("Moderate concentration")


def test_reading_across_a_threshold_names_the_assumption_behind_each_end():
    text = c.reading(1452, 1587, "us2010", low_assumption="the rest is many small firms",
                     high_assumption="the rest is firms of 4% (Alibaba in the 2025Q2 tail)")
    assert text == ("The interval straddles the 2010 US Horizontal Merger Guidelines' 1,500 threshold: "
                    "HHI 1,452 (unconcentrated) if the rest is many small firms; 1,587 (moderately "
                    "concentrated) if the rest is firms of 4% (Alibaba in the 2025Q2 tail).")
    both = c.reading(494, 2207, low_assumption="fragmented", high_assumption="lumped")
    assert "1,000 and 1,800 thresholds" in both and both.count(" if ") == 2
    assert c.thresholds_crossed(1799, 1801) == [1800]


def test_a_withheld_reading_gives_the_reason_and_no_verdict():
    text = c.reading(2775, 2775, withheld="sample capped")
    assert text.startswith("Withheld: sample capped.") and "concentrated" not in text
