"""SEC EDGAR XBRL company concepts: hyperscaler capex and AI-chip/neocloud revenue per fiscal quarter."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from etl.http import FetchError
from etl.provenance import License, Payload, Source

BASE = "https://data.sec.gov/api/xbrl/companyconcept/CIK{cik:010d}/us-gaap/{tag}.json"

# (entity, CIK, indicator, us-gaap tags in order of preference). Several revenue tags are fetched
# because filers switch tag over the years; the first tag that has a quarter wins for it.
CAPEX = "hyperscaler_capex_sec"
REVENUE = "company_revenue_sec"
CONCEPTS: tuple[tuple[str, int, str, tuple[str, ...]], ...] = (
    ("Microsoft", 789019, CAPEX, ("PaymentsToAcquirePropertyPlantAndEquipment",)),
    ("Alphabet", 1652044, CAPEX, ("PaymentsToAcquirePropertyPlantAndEquipment",)),
    ("Meta", 1326801, CAPEX, ("PaymentsToAcquirePropertyPlantAndEquipment",)),
    ("Oracle", 1341439, CAPEX, ("PaymentsToAcquirePropertyPlantAndEquipment",)),
    ("Amazon", 1018724, CAPEX, ("PaymentsToAcquireProductiveAssets",)),
    ("NVIDIA", 1045810, REVENUE, ("RevenueFromContractWithCustomerExcludingAssessedTax", "Revenues")),
    ("CoreWeave", 1769628, REVENUE, ("RevenueFromContractWithCustomerExcludingAssessedTax", "Revenues")),
)
ENTITY_BY_CIK = {cik: entity for entity, cik, _, _ in CONCEPTS}
INDICATOR_BY_TAG = {
    "PaymentsToAcquirePropertyPlantAndEquipment": CAPEX,
    "PaymentsToAcquireProductiveAssets": CAPEX,
    "RevenueFromContractWithCustomerExcludingAssessedTax": REVENUE,
    "Revenues": REVENUE,
}
UNIT = "USD bn"
# A companyfacts answer (every concept of one company) gives each metric from its tags in this order;
# the first tag that has a quarter wins it, so a filer's switch of tag (NVIDIA: revenue moves to
# `Revenues` after FY2022, capex to `PaymentsToAcquireProductiveAssets` after 2020) reads as one series.
REVENUE_TAGS = ("RevenueFromContractWithCustomerExcludingAssessedTax", "Revenues")
CAPEX_TAGS = ("PaymentsToAcquirePropertyPlantAndEquipment", "PaymentsToAcquireProductiveAssets")
OTHER_CAPEX = "company_capex_sec"  # capex of a company that is not one of the hyperscalers in CONCEPTS

SOURCE = Source(
    name="sec_edgar",
    title="SEC EDGAR XBRL company concepts: hyperscaler capex and company revenue",
    producer="U.S. Securities and Exchange Commission (EDGAR), from the companies' 10-Q/10-K filings",
    url_main="https://www.sec.gov/search-filings/edgar-application-programming-interfaces",
    url_download=tuple(BASE.format(cik=cik, tag=tag) for _, cik, _, tags in CONCEPTS for tag in tags),
    license=License(
        "U.S. government public information; SEC EDGAR fair-access rules (descriptive User-Agent, "
        "at most 10 requests a second)",
        "https://www.sec.gov/privacy",
    ),
    citation="U.S. Securities and Exchange Commission (2026). EDGAR XBRL companyconcept API, "
    "us-gaap PaymentsToAcquirePropertyPlantAndEquipment / PaymentsToAcquireProductiveAssets / "
    "RevenueFromContractWithCustomerExcludingAssessedTax / Revenues. "
    "https://data.sec.gov/api/xbrl/companyconcept/",
    cadence_hours=24,
    segment=None,
    tables=("indicators",),
    kind="provider_api",
    description=(
        "Quarterly figures in USD bn (value / 1e9) by fiscal quarter, derived from the filings' XBRL "
        "facts. `hyperscaler_capex_sec`: cash paid for property and equipment (Microsoft, Alphabet, "
        "Meta, Oracle: PaymentsToAcquirePropertyPlantAndEquipment; Amazon: "
        "PaymentsToAcquireProductiveAssets, which includes retail/fulfilment and excludes finance "
        "leases). `company_revenue_sec`: total revenue of NVIDIA and CoreWeave. Cash-flow facts in "
        "10-Qs are year-to-date, so quarters are derived: Q1 = 3M, Q2 = 6M - 3M, Q3 = 9M - 6M, "
        "Q4 = FY (10-K) - 9M; a directly reported 3-month fact is used where one exists. Facts "
        "repeated across filings (same start/end) keep the latest filed (restatements win). "
        "period = fiscal-quarter start date, period_label = the company's fiscal quarter (e.g. "
        "NVIDIA FY2025 Q1 = Jan-Apr 2024); calendar dates and filing are in note. NVIDIA's Data "
        "Center segment and cloud segment revenues (AWS, Google Cloud, Intelligent Cloud) are "
        "dimensional facts this API does not carry: they stay in the curated seed. A companyfacts "
        "answer (every concept of one company) gives capex and revenue, each read across the filer's "
        "switches of tag (first tag wins a span); capex of a company outside the hyperscalers is "
        "`company_capex_sec`."
    ),
    load="replace",
    # The whole companyfacts answers (NVIDIA, Alphabet); the companyconcept files derived from them
    # would load the same quarters twice, so they are parse-tested only.
    captures=("sec_edgar/companyfacts-*.json",),
    capture_dates=(("sec_edgar/companyfacts-*", "2026-07-09"),),  # recorded 2026-07-09 (PROVENANCE)
    rate_limit_per_minute=600,  # SEC fair access: <= 10 requests per second
)


# --------------------------------------------------------------------------- fetch

def fetch(client) -> list[Payload]:
    """One companyconcept response per company and metric.

    Capex: one tag per company, the raw response. Revenue: every candidate tag that exists
    (a 404 means the company never used that tag); when more than one exists they are archived
    together as a JSON list of the raw responses, in order of preference.
    The Client sends config's User-Agent, which carries the contact address SEC requires.
    """
    payloads: list[Payload] = []
    for entity, cik, indicator, tags in CONCEPTS:
        found: list[Payload] = []
        for tag in tags:
            url = BASE.format(cik=cik, tag=tag)
            try:
                found.append(client.request(url, name=f"{entity.lower()}-{tag}.json", expect="json"))
            except FetchError as exc:
                if len(tags) > 1 and str(exc).startswith("HTTP 404"):
                    continue  # a fallback tag this filer does not use
                raise
        if not found:
            raise FetchError(f"SEC: none of {', '.join(tags)} exists for {entity} (CIK {cik})")
        if len(found) == 1:
            payloads.append(found[0])
        else:
            bundle = [json.loads(p.body) for p in found]
            payloads.append(Payload(
                body=json.dumps(bundle).encode("utf-8"),
                url=" ".join(p.url for p in found),
                fetched_at=max(p.fetched_at for p in found),
                name=f"{entity.lower()}-{indicator}.json",
            ))
    return payloads


# --------------------------------------------------------------------------- parse

@dataclass(frozen=True)
class Fact:
    start: date
    end: date
    val: float
    accn: str
    fy: int | None
    fp: str | None
    form: str
    filed: str
    frame: str | None
    tag: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> int | None:
        """3, 6, 9 or 12 for a quarter / half / nine-month / full-year duration, else None."""
        d = self.days
        for months, low, high in ((3, 80, 100), (6, 170, 195), (9, 260, 285), (12, 350, 380)):
            if low <= d <= high:
                return months
        return None


def _companyfacts(data: dict, payload: Payload) -> list[tuple[str, list[dict]]]:
    """(indicator, concepts in order of preference) from a companyfacts answer, as companyconcept dicts."""
    gaap = (data.get("facts") or {}).get("us-gaap")
    if not isinstance(gaap, dict):
        raise ValueError(f"sec_edgar: {payload.name} is a companyfacts answer without us-gaap facts")
    cik = int(data["cik"])
    declared = {indicator: tags for _, c, indicator, tags in CONCEPTS if c == cik}
    capex_tags = declared.get(CAPEX, ()) + tuple(t for t in CAPEX_TAGS if t not in declared.get(CAPEX, ()))
    wanted = ((CAPEX if CAPEX in declared else OTHER_CAPEX, capex_tags), (REVENUE, REVENUE_TAGS))
    groups = []
    for indicator, tags in wanted:
        concepts = [{"cik": cik, "tag": tag, "entityName": data.get("entityName"), **gaap[tag]}
                    for tag in tags if tag in gaap]
        for c in concepts:
            if "USD" not in (c.get("units") or {}):
                raise ValueError(f"sec_edgar: {c['tag']} of CIK {cik} has no USD unit (units: {sorted(c.get('units') or {})})")
        if concepts:
            groups.append((indicator, concepts))
    if not groups:
        raise ValueError(f"sec_edgar: {payload.name} has none of {', '.join(CAPEX_TAGS + REVENUE_TAGS)}")
    return groups


def _groups(payload: Payload) -> list[tuple[str, list[dict]]]:
    """(indicator, concepts) of a companyconcept answer, a bundle of them, or a companyfacts answer."""
    data = payload.json("sec_edgar")
    if isinstance(data, dict) and "facts" in data and "tag" not in data:
        return _companyfacts(data, payload)
    concepts = _concepts(data, payload)
    for concept in concepts:
        if concept["tag"] not in INDICATOR_BY_TAG:
            raise ValueError(f"sec_edgar: unexpected tag {concept['tag']!r} (known: {sorted(INDICATOR_BY_TAG)})")
    by_indicator: dict[str, list[dict]] = {}
    for concept in concepts:
        by_indicator.setdefault(INDICATOR_BY_TAG[concept["tag"]], []).append(concept)
    return list(by_indicator.items())


def _concepts(data, payload: Payload) -> list[dict]:
    concepts = data if isinstance(data, list) else [data]
    for c in concepts:
        if not isinstance(c, dict) or "units" not in c or "cik" not in c or "tag" not in c:
            got = sorted(c)[:8] if isinstance(c, dict) else type(c).__name__
            raise ValueError(f"sec_edgar: {payload.name} is not a companyconcept response "
                             f"(need cik, tag, units; got {got})")
        if "USD" not in c["units"]:
            raise ValueError(f"sec_edgar: {c['tag']} of CIK {c['cik']} has no USD unit "
                             f"(units: {sorted(c['units'])})")
    ciks = {int(c["cik"]) for c in concepts}
    if len(ciks) != 1:
        raise ValueError(f"sec_edgar: a bundle must hold one company, got CIKs {sorted(ciks)}")
    return concepts


def _facts(concept: dict) -> list[Fact]:
    out = []
    for f in concept["units"]["USD"]:
        try:
            start, end = f.get("start"), f["end"]
            if not start:  # instant facts (balances) carry no flow
                continue
            out.append(Fact(
                start=date.fromisoformat(start), end=date.fromisoformat(end), val=float(f["val"]),
                accn=str(f.get("accn", "")), fy=int(f["fy"]) if f.get("fy") else None,
                fp=f.get("fp"), form=str(f.get("form", "")), filed=str(f.get("filed", "")),
                frame=f.get("frame"), tag=concept["tag"],
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"sec_edgar: malformed fact in {concept['tag']}: {f!r} ({exc})") from None
    return out


def dedupe(facts: list[Fact]) -> dict[tuple[date, date], Fact]:
    """One fact per (start, end): the latest filed (restatements win); a framed fact breaks ties."""
    best: dict[tuple[date, date], Fact] = {}
    for f in facts:
        key = (f.start, f.end)
        cur = best.get(key)
        if cur is None or (f.filed, f.frame is not None) > (cur.filed, cur.frame is not None):
            best[key] = f
    return best


@dataclass
class Quarter:
    fiscal_start: date
    q: int
    start: date
    end: date
    value: float
    how: str
    fact: Fact


def derive_quarters(facts: list[Fact]) -> list[Quarter]:
    """Fiscal quarters from year-to-date and 3-month duration facts (see module description)."""
    facts_by_span = dedupe(facts)
    # A 12-month fact in a 10-Q is a trailing-twelve-months figure (Amazon reports one), not a
    # fiscal year: only annual filings (10-K, 20-F, S-1 ...) define fiscal years.
    usable = [f for f in facts_by_span.values()
              if f.months and not (f.months == 12 and f.form.upper().startswith("10-Q"))]
    # Fiscal-year starts: where a 6M, 9M or FY fact starts, and the day after a fiscal year ends.
    starts = {f.start for f in usable if f.months in (6, 9, 12)}
    starts |= {f.end + timedelta(days=1) for f in usable if f.months == 12}
    ordered = sorted(starts)

    def fiscal_start_of(day: date) -> date | None:
        before = [s for s in ordered if s <= day]
        return before[-1] if before and (day - before[-1]).days < 371 else None

    ytd: dict[date, dict[int, Fact]] = {}
    for f in usable:
        if f.start in starts:
            ytd.setdefault(f.start, {})[f.months // 3] = f
    quarters: dict[tuple[date, int], Quarter] = {}
    for s, by_q in ytd.items():
        for q in range(1, 5):
            cur = by_q.get(q)
            if cur is None:
                continue
            if q == 1:
                quarters[(s, 1)] = Quarter(s, 1, s, cur.end, cur.val, "3M", cur)
                continue
            prev = by_q.get(q - 1)
            if prev is None:
                continue
            label = {2: "6M - 3M", 3: "9M - 6M", 4: "FY - 9M"}[q]
            quarters[(s, q)] = Quarter(s, q, prev.end + timedelta(days=1), cur.end,
                                       cur.val - prev.val, f"{label} ({cur.val:g} - {prev.val:g})", cur)
    # A directly reported 3-month fact beats a derived difference (revenue is reported per quarter).
    for f in usable:
        if f.months != 3:
            continue
        s = fiscal_start_of(f.start)
        if s is None:
            continue
        q = 1 + round((f.start - s).days / 91.3)
        if 1 <= q <= 4:
            quarters[(s, q)] = Quarter(s, q, f.start, f.end, f.val, "3-month fact", f)
    return sorted(quarters.values(), key=lambda x: x.start)


def fiscal_years(facts: list[Fact], quarters: list[Quarter]) -> dict[date, int]:
    """Fiscal year number per fiscal-year start, as the company names it.

    A filing's `fy` names the filing's own fiscal year, so only facts that are the latest-ending in
    their filing (the current period, not comparatives) vote, for the fiscal year their end date
    falls in. Fallback: the calendar year in which the fiscal year ends.
    """
    latest_end: dict[str, date] = {}
    for f in facts:
        latest_end[f.accn] = max(latest_end.get(f.accn, f.end), f.end)
    fiscal_starts = sorted({q.fiscal_start for q in quarters})
    votes: dict[date, Counter] = {}
    for f in facts:
        if not f.fy or f.end != latest_end[f.accn]:
            continue
        before = [s for s in fiscal_starts if s <= f.end]
        if before and (f.end - before[-1]).days < 371:
            votes.setdefault(before[-1], Counter())[f.fy] += 1
    return {s: votes[s].most_common(1)[0][0] if s in votes else (s + timedelta(days=364)).year
            for s in fiscal_starts}


def parse(payload: Payload) -> Iterator[dict]:
    """indicators rows, one per metric and fiscal quarter (earlier tags in a bundle win a span)."""
    for indicator, concepts in _groups(payload):
        yield from _quarter_rows(indicator, concepts)


def _quarter_rows(indicator: str, concepts: list[dict]) -> Iterator[dict]:
    cik = int(concepts[0]["cik"])
    entity = ENTITY_BY_CIK.get(cik) or str(concepts[0].get("entityName") or cik)
    # The tags of one metric are read as one series: per span the preferred tag's fact, then the
    # quarters, so a switch of tag inside a fiscal year (Q1 under one tag, the 6-month YTD under the
    # next) still gives Q2 = 6M - 3M.
    merged: dict[tuple[date, date], Fact] = {}
    all_facts: list[Fact] = []
    for concept in concepts:
        facts = _facts(concept)
        all_facts.extend(facts)
        for span, fact in dedupe(facts).items():
            merged.setdefault(span, fact)
    quarters = derive_quarters(list(merged.values()))
    names = fiscal_years(all_facts, quarters)
    for quarter in quarters:
        f = quarter.fact
        yield {
            "table": "indicators",
            "period": quarter.start.isoformat(),
            "period_label": f"FY{names[quarter.fiscal_start]} Q{quarter.q}",
            "indicator": indicator,
            "entity": entity,
            "value": round(quarter.value / 1e9, 6),
            "unit": UNIT,
            "ref_url": f"https://www.sec.gov/Archives/edgar/data/{cik}/{f.accn.replace('-', '')}/",
            "ref_date": f.filed or None,
            "confidence": "primary",
            "note": (f"calendar {quarter.start.isoformat()}..{quarter.end.isoformat()}; us-gaap:{f.tag}; "
                     f"{quarter.how}; {f.form} accn {f.accn} filed {f.filed}"),
        }
