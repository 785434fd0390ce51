"""The engine benchmark's 10,000-line good, as the minimum of N runs (a busy machine's least
disturbed figure), for comparing two commits side by side on a shared machine.

    .venv/bin/python benchmarks/bench_engine_min.py [--repeat 25]

Run it on exports of both commits (``git archive``) in one session, alternating; see
BENCHMARKS.md. The medians of ``bench_engine.py`` remain the figures of record on a quiet
machine.
"""

import argparse
import gc
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_engine

from rcep_rules import Reference, evaluate, load_shipments


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    reference = Reference.load(())
    found = {}
    for subs in (2, 3, 4):
        shipment = load_shipments(json.dumps(bench_engine.generate(10_000, subs)))[0]
        evaluate(shipment, reference)
        engine, walk = [], []
        gc.disable()
        try:
            for _ in range(args.repeat):
                start = time.perf_counter()
                evaluate(shipment, reference)
                engine.append(time.perf_counter() - start)
                start = time.perf_counter()
                bench_engine.traverse(shipment.good.bom)
                walk.append(time.perf_counter() - start)
        finally:
            gc.enable()
        boms = sum(subs**level for level in range(bench_engine.LEVELS))
        found[boms] = [round(min(engine) * 1e3, 2), round(min(walk) * 1e3, 2)]
        found[boms].append(round(found[boms][0] / found[boms][1], 2))
    print(json.dumps(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
