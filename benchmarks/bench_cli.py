"""Command-line benchmark: ``rcep-origin evaluate --json`` and ``evaluate`` end to end, side by
side with the least a JSON tool must do, on the same 10,000- and 100,000-line goods files.

The files are the engine benchmark's good (``bench_engine.generate``: a 5-level BOM, 4 in-house
sub-assemblies per BOM, 341 BOMs). Each command runs as a child process, as a user runs it,
its output going to a file (the one written last is checked: the JSON output is read back).
The reference is Python's own

    python -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), sys.stdout)' FILE

Reported per file and command: the median wall time of ``--repeat`` runs, the ratio to the
reference, the same for the CPU time (user + system: on a shared, busy machine the wall time
measures the neighbours too), the peak resident memory (the child's own ``ru_maxrss``, from
``os.wait4``) and its ratio to the file size. ``rcep-origin --version`` is measured too:
what the interpreter and the command's imports hold before reading anything. Targets (issue
13): ``evaluate --json`` <= 3 x the reference; peak memory <= 5 x the file size. Not part of
the test run.

    python benchmarks/bench_cli.py [--repeat 3] [--lines 10000 100000] [--json]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_engine import generate

REFERENCE = "import json,sys; json.dump(json.load(open(sys.argv[1])), sys.stdout)"
RCEP = [sys.executable, "-c", "import sys; from connectors.cli import main; sys.exit(main())"]


def run(command: list[str], out_path: Path) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds (user + system), peak RSS in KiB and exit code of one child
    process."""
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, child.returncode


def measure(name: str, command: list[str], repeat: int, out_path: Path) -> dict:
    runs = [run(command, out_path) for _ in range(repeat)]
    return {
        "command": name,
        "wall": statistics.median(r[0] for r in runs),
        "cpu": statistics.median(r[1] for r in runs),
        "rss_kib": max(r[2] for r in runs),
        "exit": runs[-1][3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="rcep-bench-cli-") as tmp:
        tmp = Path(tmp)
        idle = measure("rcep-origin --version", [*RCEP, "--version"], args.repeat, tmp / "v")
        for lines in args.lines:
            goods = tmp / f"bom_{lines}.json"
            goods.write_text(json.dumps(generate(lines)), encoding="utf-8")
            size = goods.stat().st_size
            out = tmp / "out"
            commands = [
                ("python json load+dump", [sys.executable, "-c", REFERENCE, str(goods)]),
                ("rcep-origin evaluate --json", [*RCEP, "evaluate", "--json", str(goods)]),
                ("rcep-origin evaluate", [*RCEP, "evaluate", str(goods)]),
            ]
            rows = []
            for name, command in commands:
                row = measure(name, command, args.repeat, out)
                if name.endswith("--json"):
                    answer = json.loads(out.read_bytes())  # the output is whole and valid
                    assert len(answer["materials"]) == lines, "every line has its verdict"
                rows.append(row)
            reference, reference_cpu = rows[0]["wall"], rows[0]["cpu"]
            for row in rows:
                row |= {
                    "lines": lines,
                    "file_mib": size / 2**20,
                    "ratio": row["wall"] / reference,
                    "cpu_ratio": row["cpu"] / reference_cpu,
                    "rss_mib": row["rss_kib"] / 1024,
                    "rss_per_file": row["rss_kib"] * 1024 / size,
                    "rss_above_idle_per_file": (row["rss_kib"] - idle["rss_kib"]) * 1024 / size,
                }
                results.append(row)
    if args.json:
        print(json.dumps({"idle": idle, "results": results}, indent=2))
        return
    load = os.getloadavg()[0]
    print(
        f"Python {platform.python_version()} {platform.machine()}, {os.cpu_count()} CPU(s), "
        f"load average {load:.2f}; median of {args.repeat} runs; idle "
        f"`rcep-origin --version`: {idle['wall']:.2f} s ({idle['cpu']:.2f} s CPU), "
        f"{idle['rss_kib'] / 1024:.1f} MiB"
    )
    print(
        "| lines | file MiB | command | wall s | x reference | CPU s | CPU x reference "
        "| peak RSS MiB | RSS / file | (RSS - idle) / file | exit |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['lines']:,} | {r['file_mib']:.1f} | {r['command']} | {r['wall']:.2f} "
            f"| {r['ratio']:.2f} | {r['cpu']:.2f} | {r['cpu_ratio']:.2f} "
            f"| {r['rss_mib']:.0f} | {r['rss_per_file']:.1f} "
            f"| {r['rss_above_idle_per_file']:.1f} | {r['exit']} |"
        )


if __name__ == "__main__":
    main()
