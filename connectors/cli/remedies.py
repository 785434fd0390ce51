"""``rcep-origin remedies``: what would make a good qualify, or how far it is from failing.

The search and its wording live in the engine
(``rcep_rules.remedies``, ``rcep_rules.explain``), so this only reads files and prints. Exit
codes: 0 the good qualifies (its margin is shown), 1 remedies were found, 2 none can exist or
the file cannot be evaluated (the highest wins over several goods).
"""

from rich.text import Text

from connectors.cli import options
from connectors.cli.errors import CommandError
from connectors.cli.output import json_out, out, report_failures
from connectors.cli.status import worst
from rcep_rules.remedies import LOOK_AHEAD_DAYS, remedies

CLAIMS = ("PE", "CTC", "RVC", "CR")


def register(sub) -> None:
    p = options.command(
        sub,
        "remedies",
        run,
        "The smallest changes of origin data that make a good qualify, each checked by the "
        "engine, or the margin of one that does; exit 0 qualifies, 1 remedies found, 2 none.",
    )
    options.goods_files(p)
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
    if args.look_ahead < 0:
        raise CommandError("OPTION_INVALID", "--look-ahead must be 0 or more days")
    shipments, failures = options.load(args.files)
    reference = options.reference(args)
    results = [
        (path, remedies(s, reference, claim=args.criterion, look_ahead_days=args.look_ahead))
        for path, s in shipments
    ]
    if args.json:
        payload = [dict(r.as_dict(), file=str(p)) for p, r in results]
        payload += [dict(f, originating=None, remedies=[]) for f in failures]
        json_out(payload[0] if len(payload) == 1 else payload)
    else:
        report_failures(failures, False)
        for path, result in results:
            good = result.evaluation.shipment.good
            if len(results) > 1:
                out.print(Text(f"{path}: {good.code if good else '?'}", style="bold"))
            style = {0: "bold green", 1: "bold yellow"}.get(result.exit_code, "bold red")
            text = result.explanation
            first, _, rest = text.partition("\n")
            out.print(Text(first, style=style))
            if rest:
                out.print(rest)
    codes = [r.exit_code for _, r in results] + [2] * len(failures)
    return worst(codes)
