"""``psr show`` and ``psr import``: the product-specific rules of Annex 3A."""

from pathlib import Path

from rich.text import Text

from connectors.cli import options
from connectors.cli.output import err, json_out, out, table
from rcep_rules import Reference
from rcep_rules.hs import HS2022, VERSIONS, display, normalise
from rcep_rules.psr import RuleMatch, code_problem, read_rule_file, write_rule_file
from rcep_rules.reference import default_user_rules_path


def register(sub) -> None:
    psr = sub.add_parser("psr", help="Show or import product-specific rules (Annex 3A).")
    psr_sub = psr.add_subparsers(metavar="ACTION")
    p = options.command(
        psr_sub,
        "show",
        show,
        "The rule that applies to an HS code, or the rows under a chapter or heading.",
    )
    p.add_argument("code")
    p.add_argument("--hs-version", choices=VERSIONS, default=HS2022)
    p = options.command(
        psr_sub,
        "import",
        import_,
        "Validate a PSR CSV file and add its rows to the user rules file.",
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--rules-file",
        type=Path,
        default=None,
        help=f"where imported rows are kept (default {default_user_rules_path()})",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="let imported rows replace loaded rows with a different rule",
    )


def show(args) -> int:
    reference = options.reference(args)
    code = normalise(args.code)
    if code is None or (len(code) not in (2, 4) and len(code) < 6):
        err.print(f"{args.code!r} is not an HS chapter, heading or subheading code.")
        return 2
    if problem := code_problem(code, args.hs_version, reference.nomenclatures):
        err.print(f"{problem}.")  # (a code of no HS edition has no rule to show)
        return 2
    if len(code) < 6:
        rows = [
            r
            for r in reference.rules.rows.values()
            if r.code.startswith(code) or code.startswith(r.code)
        ]
        if args.json:
            json_out([dict(r.as_csv()) for r in rows])
        elif not rows:
            out.print(f"No rule rows loaded under {display(code)}.")
        if not rows:
            return 1  # as for a code: no rule loaded
        if not args.json:
            table(
                ("version", "code", "rule", "legibility", "description"),
                [
                    (r.hs_version, display(r.code), r.psr, r.legibility, r.description)
                    for r in sorted(rows, key=lambda r: (r.hs_version, r.code))
                ],
                keep=("version", "code", "legibility"),
            )
        return 0
    found = reference.rules.find(code[:6], args.hs_version)
    if isinstance(found, RuleMatch):
        row = found.row
        info = {
            "hs": display(code[:6]),
            "hs_version": args.hs_version,
            **{f"rule_{k}" if k == "hs_version" else k: v for k, v in row.as_csv().items()},
            "transposed": found.transposed,
            "correlation": [display(c) for c in found.mapped],
            "relationship": found.relationship,
        }
        if args.json:
            json_out(info)
        else:
            out.print(
                Text.assemble(
                    (display(code[:6]), "bold"), f" ({args.hs_version}): ", (row.psr, "bold")
                )
            )
            out.print(f"  row {row.hs_version} {row.level} {display(row.code)} {row.description}")
            if found.transposed:
                out.print(
                    f"  transposed through the UNSD correlation -> "
                    f"{', '.join(info['correlation'])} ({found.relationship}): confirm the "
                    "HS2022 rule and import it"
                )
            out.print(f"  legibility {row.legibility}; source {row.source_url} ({row.locator})")
        return 0
    message = (
        f"No rule loaded for {display(code[:6])} ({args.hs_version}){found.detail}. "
        "Import the official row with `rcep-origin psr import FILE`."
    )
    if args.json:
        json_out({"hs": display(code[:6]), "code": "PSR_NOT_FOUND", "message": message})
    else:
        out.print(message)
    return 1


def import_(args) -> int:
    # Compared with the bundled rows and the rows already in the file imported into.
    target = args.rules_file or default_user_rules_path()
    reference = Reference.load((target,) if target.exists() else ())
    rows = read_rule_file(args.file, reference.nomenclatures)
    user_rows = read_rule_file(target, reference.nomenclatures) if target.exists() else []
    report = reference.rules.merge(rows, replace=args.replace)
    kept = {r.key: r for r in user_rows}
    for row in report.added:
        kept[row.key] = row
    for row, _ in report.replaced:
        kept[row.key] = row
    if report.added or report.replaced:
        write_rule_file(target, kept.values())
    summary = {
        "file": str(args.file),
        "rules_file": str(target),
        "added": [display(r.code) for r in report.added],
        "replaced": [display(r.code) for r, _ in report.replaced],
        "unchanged": [display(r.code) for r in report.unchanged],
        "conflicts": [
            {
                "code": display(new.code),
                "hs_version": new.hs_version,
                "new": new.psr,
                "loaded": old.psr,
                "loaded_from": old.origin,
            }
            for new, old in report.conflicts
        ],
    }
    if args.json:
        json_out(summary)
    else:
        out.print(
            f"{len(report.added)} row(s) added, {len(report.replaced)} replaced, "
            f"{len(report.unchanged)} already loaded; kept in {target}."
        )
        for c in summary["conflicts"]:
            out.print(
                Text.assemble(
                    ("CONFLICT", "yellow"),
                    f" {c['hs_version']} {c['code']}: the file says "
                    f"{c['new']!r}, the loaded rule ({c['loaded_from']}) says {c['loaded']!r}; "
                    "not imported. Check the official text; use --replace to let the file win.",
                )
            )
    return 1 if report.conflicts else 0
