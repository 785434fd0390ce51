"""The ratio of the confirmation benchmark from its runs: reads the RESULT lines of
`benchmarks/odoo_confirm.py` (a run without the addon, then one with it, in turn) from
standard input and prints each pair's ratio, wall and CPU, and their medians. Run by
`bash scripts/odoo-tests.sh confirm-bench`."""

import re
import statistics
import sys

RESULT = re.compile(r"(with|without) rcep_origin: .* median (\d+) ms \(CPU (\d+) ms\)")


def pairs(lines):
    """[(without, with)] of (wall ms, CPU ms), in the order run."""
    without, found = None, []
    for line in lines:
        match = RESULT.search(line)
        if not match:
            continue
        kind, wall, cpu = match.group(1), int(match.group(2)), int(match.group(3))
        if kind == "without":
            without = (wall, cpu)
        elif without is not None:
            found.append((without, (wall, cpu)))
            without = None
    return found


def main():
    found = pairs(sys.stdin)
    if not found:
        sys.exit("no pair of runs (without, then with rcep_origin) in the input")
    walls, cpus = [], []
    for number, ((bare_wall, bare_cpu), (wall, cpu)) in enumerate(found, 1):
        walls.append(wall / bare_wall)
        cpus.append(cpu / bare_cpu)
        print(
            f"RESULT pair {number}: {bare_wall} ms without, {wall} ms with rcep_origin: "
            f"ratio {walls[-1]:.2f} (CPU {bare_cpu} / {cpu} ms: {cpus[-1]:.2f})"
        )
    print(
        f"RESULT ratio over {len(found)} pairs: median {statistics.median(walls):.2f} "
        f"({min(walls):.2f} to {max(walls):.2f}); CPU median {statistics.median(cpus):.2f}"
    )


if __name__ == "__main__":
    main()
