"""``rcep-origin remedies``: what would make a good qualify, or how far it is from failing.

Registered from ``connectors.cli`` in one line; the search and its wording live in the engine
(``rcep_rules.remedies``, ``rcep_rules.explain``), so this only reads files and prints. Exit
codes: 0 the good qualifies (its margin is shown), 1 remedies were found, 2 none can exist or
the file cannot be evaluated (the highest wins over several goods).
"""

from pathlib import Path

from rich.text import Text

from rcep_rules.remedies import LOOK_AHEAD_DAYS, remedies

CLAIMS = ("PE", "CTC", "RVC", "CR")


def register(command) -> None:
    """Add the command through ``cli._parser``'s own ``command`` helper."""
    p = command(
        "remedies",
        run,
        "The smallest changes of origin data that make a good qualify, each checked by the "
        "engine, or the margin of one that does; exit 0 qualifies, 1 remedies found, 2 none.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "--criterion",
        choices=CLAIMS,
        default=None,
        help="the criterion claimed: remedies that reach it even if another one holds",
    )
    p.add_argument(
        "--look-ahead",
        type=int,
        default=LOOK_AHEAD_DAYS,
        metavar="DAYS",
        help=f"proofs expiring within DAYS of the shipment date (default {LOOK_AHEAD_DAYS})",
    )


def run(args) -> int:
    from connectors import cli  # imported here: cli registers this module

    if args.look_ahead < 0:
        cli.err.print("--look-ahead must be 0 or more days.")
        return 2
    shipments, failures = cli._load(args.files)
    reference = cli._reference(args)
    results = [
        (path, remedies(s, reference, claim=args.criterion, look_ahead_days=args.look_ahead))
        for path, s in shipments
    ]
    if args.json:
        payload = [dict(r.as_dict(), file=str(p)) for p, r in results]
        payload += [dict(f, originating=None, remedies=[]) for f in failures]
        cli.out.print_json(data=payload[0] if len(payload) == 1 else payload)
    else:
        cli._report_failures(failures, False)
        for path, result in results:
            good = result.evaluation.shipment.good
            if len(results) > 1:
                cli.out.print(Text(f"{path}: {good.code if good else '?'}", style="bold"))
            style = {0: "bold green", 1: "bold yellow"}.get(result.exit_code, "bold red")
            text = result.explanation
            first, _, rest = text.partition("\n")
            cli.out.print(Text(first, style=style))
            if rest:
                cli.out.print(rest)
    codes = [r.exit_code for _, r in results] + [2] * len(failures)
    return max(codes, default=2)
