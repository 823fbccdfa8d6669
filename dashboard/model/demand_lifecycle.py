"""What is known of AI compute across its lifecycle (training, fine-tuning, inference): cited records only.

Every record comes from ComputeWatch's reviewed reference material (curated figures,
docs/METHODOLOGY.md §5; details in data/seed/README.md), with the source's URL, the date of the page it
was read on and the confidence grade given there. `kind` says what the figure is: a modelled **estimate** (a fitted trend),
a **reported** count (a company's own statement, often relayed by press), or a **gap** (the source names the stage
but gives no number). Stages with no record at all are listed in GAPS.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Record:
    stage: str        # training / fine-tuning / inference / all stages
    finding: str      # one plain sentence
    kind: str         # estimate / reported / gap
    period: str
    source: str
    url: str
    source_date: str  # date of the page the figure was read on (ISO; "approx." when the page gave less)
    confidence: str   # primary / secondary / tertiary / uncertain (see data/seed/README.md)


SPLIT_STATUS = (
    "No public, sourced estimate of how AI compute divides between training, fine-tuning and inference "
    "was found in the material reviewed for ComputeWatch. The records below describe each stage on its "
    "own: they are growth rates and volumes, not shares, and they do not add up to a split."
)

EPOCH_MODELS_URL = ("https://epochai.org/data/notable-ai-models?startDate=2010-9-24&xAxis=Training%20dataset%20size"
                    "%20%28datapoints%29&startDlEra=2010-11-30&isolateDomain=Biology&systemNames=show%20all")
SEED_ARTICLE_URL = ("https://exchangesranking.org/2024/01/AI%20computing%20in%202024%3A%20Navigating%20the%20surge"
                    "%20in%20demand%20for%20generative%20AI%20.html")

STAGES = ("all stages", "training", "fine-tuning", "inference")

# Stages for which no figure was found: said plainly rather than left out.
GAPS = {
    "fine-tuning": "No public figure for the compute spent on fine-tuning was found. Open-model downloads by "
                   "task (Hugging Face, above) are the nearest public trace of fine-tuning and self-hosted use.",
}

RECORDS: tuple[Record, ...] = (
    Record("all stages", "Compute matters in three stages, training, fine-tuning and inference; the article gives "
           "no split between them.", "gap", "2024-01",
           "Cointelegraph interview with Livepeer CEO Doug Petkanics (verbatim mirror)", SEED_ARTICLE_URL,
           "2024-01-12", "secondary"),
    Record("training", "Training compute of notable AI models grew about 4.1x a year from 2010 to 2024 "
           "(doubling about every 6 months).", "estimate", "2010-2024",
           "Epoch AI, Notable AI Models", EPOCH_MODELS_URL, "2024-10-09", "primary"),
    Record("training", "A later update of the same trend: about 4.6x a year since 2010 (doubling about every "
           "5 months).", "estimate", "2010-present",
           "Epoch AI data insight", "https://epoch.ai/data-insights/compute-trend-post-2010",
           "2025-01-01 (approx.; page undated, later than 2024-10-09)", "primary"),
    Record("training", "Training compute of frontier models grows 4-5x a year.", "estimate", "2010-2024",
           "Epoch AI (via Longterm Wiki cache)", "https://www.longtermwiki.com/source/7d0515f6079d8beb",
           "2024-05-01 (approx.)", "secondary"),
    Record("training", "The cost of training the largest models grows about 2.5x a year.", "estimate", "to 2024",
           "Epoch AI, Notable AI Models", EPOCH_MODELS_URL, "2024-10-09", "primary"),
    Record("inference", "The OpenAI API processed an average of 8.6 trillion tokens a day in October 2025.",
           "reported", "2025-10", "a16z + OpenRouter, 'State of AI'", "https://a16z.com/state-of-ai/",
           "2025-12-04", "secondary"),
    Record("inference", "Google processed about 3.2 quadrillion tokens a month across its surfaces in May 2026, "
           "up from 9.7 trillion in May 2024.", "reported", "2024-05 to 2026-05",
           "Google I/O 2026 (Sundar Pichai) via milik.ai", "https://www.milik.ai/articles/ee606a3944",
           "2026-05-01 (approx.)", "secondary"),
    Record("inference", "OpenRouter routed more than 1 trillion tokens a day in the last week of November 2025.",
           "reported", "2025-11", "a16z + OpenRouter, 'State of AI'", "https://a16z.com/state-of-ai/",
           "2025-12-04", "primary"),
    Record("inference", "The price of inference at constant capability falls about 10x a year ($60 to $0.06 per "
           "million tokens, 2021 to 2024), so token volumes overstate the growth of spending.", "estimate",
           "2021-11 to 2024-11", "a16z, 'LLMflation' (Guido Appenzeller)",
           "https://a16z.com/llmflation-llm-inference-cost", "2024-11-12", "primary"),
    Record("inference", "Across benchmarks, the price of a fixed level of LLM performance fell 9x to 900x a year "
           "(40x for GPT-4-level performance on GPQA).", "estimate", "2022-2025",
           "Epoch AI data insight", "https://epoch.ai/data-insights/llm-inference-price-trends",
           "2025-03-12", "primary"),
)


def frame() -> pd.DataFrame:
    """The records as a table (for display and CSV download)."""
    return pd.DataFrame([asdict(r) for r in RECORDS])


def markdown() -> str:
    """The records as Markdown grouped by stage: kind in italics, then the source link, date and grade."""
    out = []
    for stage in STAGES:
        items = [f"- *{r.kind}*, {r.period}: {r.finding} Source: [{r.source}]({r.url}), {r.source_date}, "
                 f"{r.confidence}." for r in RECORDS if r.stage == stage]
        if stage in GAPS:
            items.append(f"- *gap*: {GAPS[stage]}")
        if items:
            out.append(f"**{stage.capitalize()}**\n\n" + "\n".join(items))
    return "\n\n".join(out)
