"""``evaluate`` and ``review``: the engine's verdict on goods files, every issue with its fix."""

from pathlib import Path

from rich.text import Text

from connectors.cli import options
from connectors.cli.output import json_stream, out, report_failures, stdout, table
from connectors.cli.status import Exit, worst
from rcep_rules.explain import evaluation_dict, percent, verdict_line
from rcep_rules.hs import display
from rcep_rules.psr import RuleMatch


def register(sub) -> None:
    p = options.command(
        sub, "evaluate", evaluate, "Evaluate the RCEP origin of the goods in goods files."
    )
    options.goods_files(p)
    p = options.command(
        sub, "review", review, "Pre-review goods files: list every issue with its fix."
    )
    options.goods_files(p)


def evaluate(args) -> int:
    shipments, failures = options.load(args.files)
    if args.json:
        codes = []

        def answers():
            for path, ev in options.evaluations(args, shipments):
                codes.append(exit_code(ev))
                yield dict(evaluation_dict(ev), file=str(path))
            yield from (dict(f, originating=None) for f in failures)

        json_stream(answers(), len(shipments) + len(failures))
    else:
        report_failures(failures, False)
        results = list(options.evaluations(args, shipments))
        codes = [exit_code(ev) for _, ev in results]
        if len(results) == 1:
            _show_one(results[0][1])
        elif results:
            _show_table(results)
    return worst(codes + [Exit.ERROR] * len(failures))


def exit_code(ev) -> int:
    """``evaluate``: 0 originating, 1 not originating, 2 not evaluated (review errors)."""
    if ev.originating is None:
        return Exit.ERROR
    return Exit.OK if ev.originating else Exit.NO


def review(args) -> int:
    shipments, failures = options.load(args.files)
    errors = bool(failures)
    if args.json:

        def answers():
            nonlocal errors
            for path, ev in options.evaluations(args, shipments):
                errors = errors or bool(ev.errors)
                yield {
                    "file": str(path),
                    "good": ev.shipment.good.code if ev.shipment.good else None,
                    "errors": len(ev.errors),
                    "issues": [i.as_dict() for i in sorted(ev.issues, key=lambda i: i.severity)],
                }
            yield from (dict(f, errors=1, issues=[]) for f in failures)

        json_stream(answers(), len(shipments) + len(failures))
    else:
        report_failures(failures, False)
        for path, ev in options.evaluations(args, shipments):
            errors = errors or bool(ev.errors)
            _show_issues(path, ev)
    return Exit.ERROR if errors else Exit.OK


# --- human output --------------------------------------------------------------------------------


def _short_verdict(ev) -> Text:
    if ev.originating is None:
        return Text("NOT EVALUATED", style="bold red")
    if not ev.originating:
        return Text("NOT ORIGINATING", style="bold yellow")
    notes = f" ({', '.join(ev.annotations)})" if ev.annotations else ""
    return Text(f"ORIGINATING {ev.criterion}{notes}", style="bold green")


def _verdict_text(ev) -> Text:
    style = (
        "bold red" if ev.originating is None else "bold green" if ev.originating else "bold yellow"
    )
    return Text(verdict_line(ev), style=style)


def _show_one(ev) -> None:
    """The verdict, then the explanation, which lists every review error once (with what to
    do) when they stop the evaluation."""
    out.print(_verdict_text(ev))
    if out.is_terminal:
        out.print(ev.explanation)
    else:  # plain text as it is: rich would measure every line of a 100,000-line BOM
        stdout.write(ev.explanation + "\n")


def _show_table(results) -> None:
    rows = []
    for path, ev in results:
        good = ev.shipment.good
        rule = ev.rule
        rvc = ev.result.rvc.build_down if ev.result and ev.originating is not None else None
        counts = {}
        for issue in ev.issues:
            counts[issue.code] = counts.get(issue.code, 0) + 1
        rows.append(
            (
                _short_verdict(ev),
                good.code if good else "?",
                display(good.hs_full) if good and good.hs_full else "",
                rule.row.psr if isinstance(rule, RuleMatch) else "-",
                percent(rvc) or "-",
                ", ".join(counts),
                Path(path).name,
            )
        )
    table(
        ("verdict", "good", "HS", "rule", "RVC %", "issues", "file"),
        rows,
        keep=("verdict", "good", "HS", "RVC %", "file"),
    )


def _show_issues(path, ev) -> None:
    """Every issue once; the same issue at many places (a warning for each of 300
    sub-assemblies) is one row with the count and the first place."""
    good = ev.shipment.good
    title = f"{path or ''} {good.code if good else ''}".strip()
    if not ev.issues:
        out.print(Text(f"{title}: no issues", style="green"))
        return
    groups: dict[tuple, list] = {}
    for issue in sorted(ev.issues, key=lambda i: i.severity):
        groups.setdefault((issue.severity, issue.code, issue.message, issue.hint), []).append(issue)
    rows = []
    for (severity, code, message, hint), same in groups.items():
        where = same[0].path if len(same) == 1 else f"{same[0].path} and {len(same) - 1} more"
        style = "red" if same[0].is_error else "yellow"
        rows.append((Text(severity, style=style), code, where, message, hint))
    table(
        ("severity", "code", "path", "message", "what to do"),
        rows,
        keep=("severity", "code", "path"),
        title=f"{title}: {len(ev.errors)} error(s), {len(ev.issues) - len(ev.errors)} warning(s)",
    )
