"""Engine benchmark: a 5-level bill of materials with 10,000 and 100,000 lines.

Reports the median time of ``rcep_rules.evaluate`` (pre-review + evaluation on a parsed goods
file, reference data already loaded), the ratio 100k / 10k, and the ratio to a bare recursive
traversal of the same BOM (sum of quantity x cost) -- the least any engine must do. Parsing the
JSON text and the full report (``as_dict()``: every line's verdict and reason, the warnings,
the explanation) are measured apart. Not part of the test run.

The engine's cost has two parts: each BOM line, and each in-house BOM (a sub-assembly is
judged against its own rule, with and without cumulation). So the BOM's shape matters as much
as its size, and three shapes are measured: every BOM above the last level holds 2, 3 or 4
in-house sub-assemblies (31, 121 or 341 BOMs in all), bought parts filling the rest.

    python benchmarks/bench_engine.py [--repeat 15] [--subs 2 3 4] [--json]
"""

import argparse
import gc
import json
import platform
import random
import statistics
import sys
import time
from decimal import Decimal

from rcep_rules import Reference, __version__, evaluate, load_shipments

LEVELS = 5
BOUGHT_HS = [
    "7407.21",
    "7320.20",
    "3907.40",
    "7318.15",
    "8542.31",
    "8532.24",
    "7326.90",
    "8504.40",
    "8544.42",
    "3926.90",
    "7616.99",
    "8536.90",
    "8538.90",
]
ORIGINS = (
    [("DE", None)] * 4
    + [("US", None)] * 2
    + [("KR", None)]
    + [
        ("JP", {"type": "RCEP_CO", "reference": "JP-B", "valid_until": "2027-06-30"}),
        ("JP", {"type": "RCEP_CO", "reference": "JP-B", "valid_until": "2027-06-30"}),
        ("CN", {"type": "SUPPLIER_DECLARATION", "reference": "CN-B", "valid_until": "2027-06-30"}),
    ]
)


def generate(lines: int, subs: int = 4, seed: int = 7) -> dict:
    """A goods file for one 8538.90 switchgear part whose BOM has exactly ``lines`` lines on
    5 levels: every BOM above the last holds ``subs`` in-house sub-assemblies (with 4:
    1 + 4 + ... + 256 = 341 BOMs in all) and bought parts fill the rest, spread evenly."""
    rng = random.Random(seed)
    boms = sum(subs**level for level in range(LEVELS))
    share, extra = divmod(lines - (boms - 1), boms)
    counter = iter(range(10**9))

    def bom(level: int) -> list:
        nonlocal extra
        out = []
        if level < LEVELS:
            out += [
                {
                    "code": f"SUB-{next(counter)}",
                    "hs_code": "8538.90",
                    "quantity": 1,
                    "processes": ["cnc_machining", "assembly"],
                    "bom": bom(level + 1),
                }
                for _ in range(subs)
            ]
        bought = share + (1 if extra > 0 else 0)
        extra -= 1
        for _ in range(bought):
            origin, proof = rng.choice(ORIGINS)
            line = {
                "code": f"P-{next(counter)}",
                "hs_code": rng.choice(BOUGHT_HS),
                "quantity": rng.randint(1, 4),
                "unit_cost": f"{rng.randint(1, 2000) / 1000:.3f}",
                "origin_country": origin,
            }
            if proof:
                line["proof"] = proof
            out.append(line)
        return out

    lines_ = bom(1)
    good = {
        "code": "BENCH",
        "hs_code": "8538.90",
        # a 50 % mark-up on the materials, as a real price would have
        "fob": f"{value(lines_) * Decimal('1.5'):.2f}",
        "processes": ["cnc_machining", "assembly", "testing"],
        "bom": lines_,
    }
    return {
        "exporting_party": "CN",
        "importing_party": "VN",
        "shipment_date": "2026-11-20",
        "currency": "USD",
        "good": good,
    }


def value(lines: list) -> Decimal:
    """The cost of the materials of a generated BOM (for a realistic FOB)."""
    return sum(
        (
            Decimal(line["quantity"])
            * (value(line["bom"]) if "bom" in line else Decimal(line["unit_cost"]))
            for line in lines
        ),
        Decimal(0),
    )


def count(bom) -> tuple[int, int]:
    lines, depth = 0, 0
    for m in bom:
        lines += 1
        if m.bom is not None:
            n, d = count(m.bom)
            lines, depth = lines + n, max(depth, d)
    return lines, depth + 1


def traverse(bom) -> Decimal:
    """The bare recursive traversal: sum of quantity x cost, in Decimal like the engine."""
    total = Decimal(0)
    for m in bom:
        total += m.quantity * (traverse(m.bom) if m.bom is not None else m.unit_cost)
    return total


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(lines: int, subs: int, repeat: int, reference: Reference) -> dict:
    text = json.dumps(generate(lines, subs))
    shipment = load_shipments(text)[0]
    n, depth = count(shipment.good.bom)
    assert n == lines and depth == LEVELS, (n, depth)
    evaluation = evaluate(shipment, reference)  # warm-up, and a sanity check
    assert evaluation.originating is not None, evaluation.errors[:3]
    few = max(3, repeat // 3)
    evaluate_ms = median_seconds(lambda: evaluate(shipment, reference), repeat) * 1e3
    traverse_ms = median_seconds(lambda: traverse(shipment.good.bom), repeat) * 1e3
    return {
        "lines": lines,
        "boms": sum(subs**level for level in range(LEVELS)),
        "evaluate_ms": evaluate_ms,
        "traverse_ms": traverse_ms,
        "engine_over_traversal": evaluate_ms / traverse_ms,
        "full_report_ms": median_seconds(lambda: evaluate(shipment, reference).as_dict(), few)
        * 1e3,
        "parse_ms": median_seconds(lambda: load_shipments(text), few) * 1e3,
        "runs": repeat,
        "verdict": " ".join((evaluation.criterion or "-", *evaluation.annotations)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs of the 10k case (100k: 1/3)")
    parser.add_argument("--subs", type=int, nargs="+", default=[2, 3, 4])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reference = Reference.load(rule_files=())
    rows = []
    for subs in args.subs:
        ten = measure(10_000, subs, args.repeat, reference)
        hundred = measure(100_000, subs, max(3, args.repeat // 3), reference)
        hundred["over_10k"] = hundred["evaluate_ms"] / ten["evaluate_ms"]
        rows += [ten, hundred]
    summary = {
        "engine": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": rows,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(
        f"rcep_rules {__version__}, Python {summary['python']} on {summary['machine']}; median ms"
    )
    columns = (
        "lines",
        "BOMs",
        "evaluate",
        "traverse",
        "ratio",
        "100k/10k",
        "full report",
        "parse",
        "runs",
        "verdict",
    )
    print("| " + " | ".join(columns) + " |")
    print("|" + "---:|" * (len(columns) - 1) + "---|")
    for r in rows:
        cells = (
            f"{r['lines']:,}",
            r["boms"],
            f"{r['evaluate_ms']:.2f}",
            f"{r['traverse_ms']:.2f}",
            f"{r['engine_over_traversal']:.2f}",
            f"{r['over_10k']:.2f}" if "over_10k" in r else "",
            f"{r['full_report_ms']:.1f}",
            f"{r['parse_ms']:.1f}",
            r["runs"],
            r["verdict"],
        )
        print("| " + " | ".join(str(c) for c in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
