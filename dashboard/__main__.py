"""Command line of the dashboard's pure layers: `python -m dashboard scenario --json [--set NAME=VALUE ...]`.

`scenario` prints what the Scenarios page shows for the same settings (dashboard.model.scenarios.evaluate
on dashboard.data.scenarios.load): model version, every input with its unit, source, date and whether it
is active, the outputs, the sensitivity band, the compute-cost routes and the net-of-trend view. NAME is
the input's URL parameter (a permalink's query string works too, `--set` once per parameter).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from urllib.parse import parse_qsl


def _settings(pairs: list[str], query: str | None) -> dict[str, str]:
    out = dict(parse_qsl(query.split("?", 1)[-1])) if query else {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"--set needs NAME=VALUE, got {pair!r}")
        out[name.strip()] = value.strip()
    return out


def scenario(args: argparse.Namespace) -> int:
    import streamlit  # noqa: F401  (creates its loggers, so the next line can quiet one)

    # Streamlit's caches warn "no runtime" outside `streamlit run`; the numbers do not depend on it.
    logging.getLogger("streamlit.runtime.caching.cache_data_api").disabled = True
    from dashboard.data import scenarios as data
    from dashboard.model import scenarios as model

    settings = _settings(args.set or [], args.link)
    unknown = sorted(k for k in settings if k not in model.INPUT and not k.startswith("pin_")
                     and k not in (model.VERSION_PARAM, model.SNAPSHOT_PARAM) and k not in model.LEGACY_NAMES)
    if unknown:
        print(f"unknown input(s): {', '.join(unknown)}; known: {', '.join(model.INPUT)}", file=sys.stderr)
        return 2
    try:
        ev = model.evaluate(settings, data.load())
    except ValueError as error:
        print(f"these settings have no valid market outcome: {error}", file=sys.stderr)
        return 1
    doc = model.to_json(ev)
    if args.json:
        print(json.dumps(doc, indent=2, default=str))
    else:
        out = doc["outputs"]
        print(f"model {doc['model_version']}: GPU price {out['gpu_price_shock_pct']:+.1f}% -> pass-through "
              f"{out['pass_through_rate']:.3f}, users pay ${out['consumer_cost_usd_bn_per_year'] * 1000:,.1f}m a year "
              f"(sensitivity range {doc['band']['consumer_cost_usd_bn_per_year']['p10'] * 1000:,.1f}-"
              f"{doc['band']['consumer_cost_usd_bn_per_year']['p90'] * 1000:,.1f}m)")
        for notice in doc["notices"] + doc["current_data_differ"]:
            print(f"note: {notice}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sc = commands.add_parser("scenario", help="compute a pass-through scenario as the Scenarios page does")
    sc.add_argument("--json", action="store_true", help="print the full JSON document")
    sc.add_argument("--set", action="append", metavar="NAME=VALUE", help="an input (its URL parameter name)")
    sc.add_argument("--link", metavar="URL", help="a permalink (or its query string) to reproduce")
    sc.set_defaults(func=scenario)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
