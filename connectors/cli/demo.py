"""``demo``: the README's main job on the bundled samples, end to end."""

import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from connectors.cli import options
from connectors.cli.output import err, json_out, out, report_failures
from rcep_rules.datafiles import data_path


def register(sub) -> None:
    p = options.command(
        sub,
        "demo",
        demo,
        "The whole pipeline on the bundled samples: evaluate, declare, "
        "submit to an embedded mock Single Window, verify the signed certificate.",
    )
    p.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the demo's ledger, service database and certificates in DIR",
    )


def demo(args) -> int:
    """The README's main job: evaluate the bundled samples, declare every originating one,
    submit the declarations over SOAP to a mock Single Window started in this process on a
    free loopback port, verify and store the signed certificates, and show one rejection."""
    import dataclasses
    import uuid

    from connectors.declaration import build, load_shipment_file, to_xml
    from connectors.ledger import Ledger
    from connectors.single_window.client import SingleWindowClient, SingleWindowError
    from connectors.single_window.embedded import DEMO_USERS, running
    from connectors.summary_pdf import certificate_pdf

    files = sorted(data_path("samples").glob("*.json"))
    args.rules = args.rules or []  # the demo is reproducible: bundled rules only
    reference = options.reference(args)
    shipments, failures = options.load(files)
    results = options.evaluate_all(args, shipments)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="rcep-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    base_path = data_path("shipments", "hcmc_switchgear_and_phones.json")
    base = load_shipment_file(base_path)
    rows, rejection = [], None
    with running(workdir / "single-window") as (endpoint, _app):
        user, password = next(iter(DEMO_USERS.items()))
        client = SingleWindowClient(endpoint, user, password, Ledger(workdir / "ledger.sqlite3"))
        try:
            for path, ev in results:
                row = {
                    "file": path.name,
                    "good": ev.shipment.good.code,
                    "originating": ev.originating,
                    "criterion": ev.criterion,
                    "annotations": list(ev.annotations),
                    "reference": None,
                    "certificate": None,
                    "issued_at": None,
                }
                rows.append(row)
                if not ev.originating:
                    continue
                shipment = dict(
                    base,
                    idempotency_key=str(
                        uuid.uuid5(uuid.NAMESPACE_URL, f"rcep-origin-demo/{path.name}")
                    ),
                    items=[
                        {
                            "goods_file": str(path),
                            "marks_and_numbers": "N/M",
                            "packages": {"number": 1, "kind": "carton"},
                            "quantity": {"value": "100", "unit": "PCE"},
                        }
                    ],
                )
                outcome = client.submit(to_xml(build(shipment, base_path.parent, reference)))
                entry = outcome.entry
                row |= {
                    "reference": entry.reference_number,
                    "certificate": entry.certificate_number,
                    "issued_at": entry.issued_at,
                }
                number = entry.certificate_number
                (workdir / f"{number}.xml").write_bytes(outcome.certificate_xml)
                _, _, _, signing = client.ledger.certificate(number)
                (workdir / f"{number}.pdf").write_bytes(
                    certificate_pdf(outcome.certificate_xml, signing or "")
                )
            # A declaration that claims CTC for the base station, which only meets RVC: the
            # Single Window's own check refuses it.
            declaration = build(base, base_path.parent, reference)
            items = list(declaration.items)
            items[1] = dataclasses.replace(items[1], criterion="CTC", fob_value=None)
            wrong = dataclasses.replace(
                declaration,
                idempotency_key=str(
                    uuid.uuid5(uuid.NAMESPACE_URL, "rcep-origin-demo/wrong-criterion")
                ),
                items=tuple(items),
            )
            refused = client.submit(to_xml(wrong))
            rejection = {"reference": refused.entry.reference_number, "reasons": refused.rejection}
        except SingleWindowError as error:
            err.print(f"The Single Window did not settle a demo declaration: {error}")
            return 2
    report = {"endpoint": endpoint, "workdir": str(workdir), "goods": rows, "rejection": rejection}
    if args.json:
        json_out(report)
    else:
        out.print(
            f"RCEP origin demo: {len(rows)} sample goods evaluated; the originating ones "
            f"declared and submitted over SOAP to a mock Single Window at {endpoint}; "
            "certificates verified with its signing certificate."
        )
        table = Table()
        for column in ("good", "verdict", "criterion", "reference", "certificate", "issued at"):
            table.add_column(column, no_wrap=True)
        for row in rows:
            verdict = {True: "originating", False: "not originating", None: "not evaluated"}
            criterion = " ".join([row["criterion"] or "-", *row["annotations"]])
            table.add_row(
                row["good"],
                verdict[row["originating"]],
                criterion,
                row["reference"] or "-",
                row["certificate"] or "not declared",
                row["issued_at"] or "-",
            )
        wide = (
            out
            if out.is_terminal
            else Console(highlight=False, markup=False, emoji=False, width=132)
        )
        wide.print(table)
        reason = (rejection["reasons"] or [{}])[0]
        out.print(
            f"Rejected ({rejection['reference']}): a declaration claiming CTC for the base "
            f"station: {reason.get('code')}: {reason.get('message')}"
        )
        out.print(f"Certificates (signed XML and PDF) and the ledger are in {workdir}.")
    report_failures(failures, args.json)
    return 2 if failures else 0
