"""``evaluate`` and ``review``: the engine's verdict on goods files, every issue with its fix."""

from pathlib import Path

from rich.table import Table
from rich.text import Text

from connectors.cli import options
from connectors.cli.output import out, report_failures
from rcep_rules.explain import evaluation_dict, percent, verdict_line
from rcep_rules.hs import display
from rcep_rules.psr import RuleMatch


def register(sub) -> None:
    p = options.command(
        sub, "evaluate", evaluate, "Evaluate the RCEP origin of the goods in goods files."
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p = options.command(
        sub, "review", review, "Pre-review goods files: list every issue with its fix."
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")


def evaluate(args) -> int:
    shipments, failures = options.load(args.files)
    results = options.evaluate_all(args, shipments)
    if args.json:
        payload = [dict(evaluation_dict(ev), file=str(p)) for p, ev in results]
        payload += [dict(f, originating=None) for f in failures]
        out.print_json(data=payload[0] if len(payload) == 1 else payload)
    else:
        report_failures(failures, False)
        if len(results) == 1:
            _show_one(results[0][1])
        elif results:
            _show_table(results)
    codes = [ev.exit_code for _, ev in results] + [2] * len(failures)
    return max(codes) if 2 in codes else max(codes, default=2)


def review(args) -> int:
    shipments, failures = options.load(args.files)
    results = options.evaluate_all(args, shipments)
    if args.json:
        payload = [
            {
                "file": str(p),
                "good": ev.shipment.good.code if ev.shipment.good else None,
                "errors": len(ev.errors),
                "issues": [i.as_dict() for i in sorted(ev.issues, key=lambda i: i.severity)],
            }
            for p, ev in results
        ] + [dict(f, errors=1, issues=[]) for f in failures]
        out.print_json(data=payload[0] if len(payload) == 1 else payload)
    else:
        report_failures(failures, False)
        for path, ev in results:
            _show_issues(path, ev)
    return 2 if failures or any(ev.errors for _, ev in results) else 0


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
    out.print(_verdict_text(ev))
    out.print(ev.explanation)
    if ev.errors:
        _show_issues(None, ev)


def _show_table(results) -> None:
    table = Table(show_lines=False)
    for column in ("verdict", "good", "HS", "rule", "RVC %", "issues", "file"):
        table.add_column(column)
    for path, ev in results:
        good = ev.shipment.good
        rule = ev.rule
        rvc = ev.result.rvc.build_down if ev.result and ev.originating is not None else None
        counts = {}
        for issue in ev.issues:
            counts[issue.code] = counts.get(issue.code, 0) + 1
        table.add_row(
            _short_verdict(ev),
            good.code if good else "?",
            display(good.hs_full) if good and good.hs_full else "",
            rule.row.psr if isinstance(rule, RuleMatch) else "-",
            percent(rvc) or "-",
            ", ".join(counts),
            Path(path).name,
        )
    out.print(table)


def _show_issues(path, ev) -> None:
    good = ev.shipment.good
    title = f"{path or ''} {good.code if good else ''}".strip()
    if not ev.issues:
        out.print(f"[green]{title}: no issues[/]", markup=True)
        return
    table = Table(
        title=f"{title}: {len(ev.errors)} error(s), {len(ev.issues) - len(ev.errors)} warning(s)",
        title_justify="left",
    )
    for column in ("severity", "code", "path", "message", "what to do"):
        table.add_column(column, overflow="fold")
    for issue in sorted(ev.issues, key=lambda i: i.severity):
        style = "red" if issue.is_error else "yellow"
        table.add_row(
            Text(issue.severity, style=style), issue.code, issue.path, issue.message, issue.hint
        )
    out.print(table)
