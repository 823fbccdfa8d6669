"""Parser throughput on the real captures (../shared/captures): rows per second for the biggest sources."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl import pipeline, sources, warehouse  # noqa: E402

CAPTURES = ROOT.parent / "shared" / "captures"


def main() -> None:
    if not CAPTURES.is_dir():
        sys.exit(f"no captures at {CAPTURES}")
    print(f"{'source':<22} {'files':>5} {'MB':>7} {'rows':>9} {'parse s':>8} {'validate s':>10} {'rows/s':>10}")
    for name, module in sources.MODULES.items():
        payloads = pipeline.replay_payloads(module, CAPTURES) if module.SOURCE.captures else []
        if not payloads:
            continue
        mb = sum(len(p.body) for p in payloads) / 1e6
        t0 = time.perf_counter()
        parsed = list(pipeline.parse_for_validation(module, payloads))  # what a run validates (columns if offered)
        parse_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        data = warehouse.validate(name, parsed, default_segment=module.SOURCE.segment)
        validate_s = time.perf_counter() - t0
        rows = data.n_rows + len(data.rejects) + data.duplicates  # every parsed row ends in one of these
        rate = rows / max(parse_s + validate_s, 1e-9)
        print(f"{name:<22} {len(payloads):>5} {mb:>7.2f} {rows:>9,} {parse_s:>8.2f} {validate_s:>10.2f} {rate:>10,.0f}")


if __name__ == "__main__":
    main()
