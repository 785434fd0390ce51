"""Remedies benchmark: ``rcep_rules.remedies`` on the engine benchmark's 10,000-line good,
beside one evaluation of the same good in the same run (target: remedies <= 10 x evaluate).

Two goods, both built by ``bench_engine.generate`` (5 levels, 2, 3 or 4 in-house
sub-assemblies per BOM):

* ``as generated``: the good qualifies (CTC with de minimis), so ``remedies`` gives its margin:
  the RVC headroom, the lowest FOB (checked by one more evaluation) and the proofs expiring
  within the look-ahead (one evaluation each); run with a 365-day look-ahead so both proofs
  of the benchmark (valid until 2027-06-30) are tried;
* ``failing``: the same BOM with its sub-assemblies coded 8536.90, for which no rule is loaded
  (so they are seen through and all 10,000 lines count for the good), the lines coded 7326.90
  and 7616.99 coded 8538.90 instead (so more than 10 % of FOB fails CTH) and the good priced
  at 1.1 times its materials: neither CTH (de minimis) nor RVC40 holds. The search runs over
  every material that counts and verifies each remedy by evaluating the changed goods file;
* ``failing, subs judged``: the same, but the sub-assemblies keep their code 8538.90 and rule
  ("CTH or RVC40"), which they fail (with 2 sub-assemblies per BOM; with 3 or 4 most of them,
  and the good, qualify): the search also tries to make the largest of them originate on
  their own (Art 3.12), each costing a walk of its own BOM.

Times are medians of wall-clock and of CPU (process) time, side by side.

    python benchmarks/bench_remedies.py [--repeat 15] [--subs 2 3 4] [--json]
"""

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_engine import generate, value

from rcep_rules import Reference, __version__, evaluate, load_shipments, remedies


def goods(subs: int) -> dict:
    generated = generate(10_000, subs)
    failing = json.loads(json.dumps(generated))
    lines = list(failing["good"]["bom"])
    while lines:
        line = lines.pop()
        if "bom" in line:
            line["hs_code"] = "8536.90"
            lines += line["bom"]
        elif line["hs_code"] in ("7326.90", "7616.99"):
            line["hs_code"] = "8538.90"
    failing["good"]["fob"] = f"{value(failing['good']['bom']) * Decimal('1.1'):.2f}"
    judged = json.loads(json.dumps(generated))
    lines = list(judged["good"]["bom"])
    while lines:
        line = lines.pop()
        if "bom" in line:
            lines += line["bom"]
        elif line["hs_code"] in ("7326.90", "7616.99"):
            line["hs_code"] = "8538.90"
    judged["good"]["fob"] = f"{value(judged['good']['bom']) * Decimal('1.1'):.2f}"
    return {"as generated": generated, "failing": failing, "failing, subs judged": judged}


def medians(fn, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU (process) time of ``fn``, in ms, over ``repeat`` runs: on a
    shared machine the CPU time says what the code costs, the wall clock what a user waits."""
    wall, cpu = [], []
    for _ in range(repeat):
        gc.collect()
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(wall) * 1e3, statistics.median(cpu) * 1e3


def measure(name: str, data: dict, subs: int, repeat: int, reference: Reference) -> dict:
    shipment = load_shipments(json.dumps(data))[0]
    ev = evaluate(shipment, reference)
    result = remedies(shipment, reference, look_ahead_days=365)  # warm-up and sanity check
    assert ev.originating is not None, ev.errors[:3]
    if not ev.originating:
        assert result.remedies and result.remedies[0].verified, result.explanation
    evaluate_ms, evaluate_cpu = medians(lambda: evaluate(shipment, reference), repeat)
    remedies_ms, remedies_cpu = medians(
        lambda: remedies(shipment, reference, look_ahead_days=365), repeat
    )
    first = result.remedies[0] if result.remedies else None
    return {
        "good": name,
        "boms": sum(subs**level for level in range(5)),
        "verdict": " ".join((ev.criterion or "not originating", *ev.annotations)),
        "evaluate_ms": evaluate_ms,
        "remedies_ms": remedies_ms,
        "ratio": remedies_ms / evaluate_ms,
        "evaluate_cpu_ms": evaluate_cpu,
        "remedies_cpu_ms": remedies_cpu,
        "cpu_ratio": remedies_cpu / evaluate_cpu,
        "remedies": len(result.remedies),
        "first": (
            f"{first.alternative}: {len(first.changes)} change(s)"
            if first
            else f"margin, {len(result.margin.expiring)} expiring proof(s)"
        ),
        "runs": repeat,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--subs", type=int, nargs="+", default=[2, 3, 4])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reference = Reference.load(rule_files=())
    rows = []
    for subs in args.subs:
        for name, data in goods(subs).items():
            rows.append(measure(name, data, subs, args.repeat, reference))
    if args.json:
        print(json.dumps({"engine": __version__, "results": rows}, indent=2))
        return 0
    print(
        f"rcep_rules {__version__}, Python {platform.python_version()} on "
        f"{platform.machine()}; 10,000 lines; median ms"
    )
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    columns = (
        "good",
        "BOMs",
        "verdict",
        "evaluate",
        "remedies",
        "ratio",
        "CPU evaluate",
        "CPU remedies",
        "CPU ratio",
        "found",
        "runs",
    )
    print("| " + " | ".join(columns) + " |")
    print("|---|---:|---|" + "---:|" * 6 + "---|---:|")
    for r in rows:
        cells = (
            r["good"],
            r["boms"],
            r["verdict"],
            f"{r['evaluate_ms']:.2f}",
            f"{r['remedies_ms']:.2f}",
            f"{r['ratio']:.2f}",
            f"{r['evaluate_cpu_ms']:.2f}",
            f"{r['remedies_cpu_ms']:.2f}",
            f"{r['cpu_ratio']:.2f}",
            f"{r['remedies']} remedies; first {r['first']}" if r["remedies"] else r["first"],
            r["runs"],
        )
        print("| " + " | ".join(str(c) for c in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
