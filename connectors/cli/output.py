"""Where the command line prints: ``out`` for results, ``err`` for messages and errors."""

from rich.console import Console

out = Console(highlight=False, markup=False, emoji=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)


def fail(args, error: dict) -> None:
    if args.json:
        out.print_json(data={"error": error})
        return
    err.print(f"{error['code']} at {error['path']}: {error['message']}")
    for p in error.get("problems", []):
        err.print(f"  line {p['line']}, {p['path']}: {p['message']}")
    err.print(error["hint"])


def report_failures(failures, as_json: bool) -> None:
    if not as_json:
        for f in failures:
            err.print(f"[bold red]{f['code']}[/] {f['message']} {f['hint']}", markup=True)
