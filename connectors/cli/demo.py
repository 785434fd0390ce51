"""``demo``: the README's main job on the bundled samples, end to end."""

import tempfile
from pathlib import Path

from connectors.cli import options
from connectors.cli.errors import CommandError
from connectors.cli.output import json_out, out, report_failures, table
from connectors.cli.status import Exit
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


# Each sample good goes to a buyer in its own importing Party (the goods file's
# importing_party), with the quantity and unit it is sold in (UN/ECE Rec 20: PCE pieces,
# SET sets); goods in the bundled shipment keep that shipment's quantities. Fictitious firms.
IMPORTERS = {
    "VN": ("Saigon Power Equipment JSC", "12 Nguyen Van Linh, District 7, Ho Chi Minh City",
           "Ho Chi Minh City (VNSGN)"),
    "TH": ("Siam Telecom Infrastructure Co., Ltd.", "199 Rama IV Road, Khlong Toei, Bangkok",
           "Laem Chabang (THLCH)"),
    "MY": ("Klang Valley Audio Sdn. Bhd.", "23 Jalan Kapar, Klang, Selangor",
           "Port Klang (MYPKG)"),
    "SG": ("Lion City Appliances Pte. Ltd.", "8 Jurong Port Road, Singapore",
           "Singapore (SGSIN)"),
    "PH": ("Manila Sound Systems Inc.", "1010 Roxas Boulevard, Manila", "Manila (PHMNL)"),
    "ID": ("PT Nusantara Telekom", "Jl. Yos Sudarso 17, Tanjung Priok, Jakarta",
           "Jakarta (IDTPP)"),
}  # fmt: skip
QUANTITIES = {  # sample file -> (quantity, unit, packages, kind of package)
    "03_audio_amplifier_dmi.json": ("200", "PCE", 10, "carton"),
    "05_amplifier_set_rollup.json": ("20", "SET", 20, "carton"),
    "07_cordless_phone_expired_proof.json": ("500", "PCE", 25, "carton"),
    "08_smartphone_transposed_rule.json": ("1000", "PCE", 20, "carton"),
    "09_food_mixer_not_originating.json": ("100", "PCE", 100, "carton"),
}
DEFAULT_QUANTITY = ("100", "PCE", 1, "carton")
BASE_SHIPMENT = ("shipments", "hcmc_switchgear_and_phones.json")


def demo(args) -> int:
    """The README's main job: evaluate the bundled samples, declare every originating one to
    its own importer, submit the declarations over SOAP to a mock Single Window started in
    this process on a free loopback port, verify and store the signed certificates, and show
    the bundled shipment's declaration rejected when it claims CTC for the base station. The
    working folder (which holds the service's private signing key) is removed at the end
    unless --keep DIR names one."""
    args.rules = args.rules or []  # the demo is reproducible: bundled rules only
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        return _run(args, args.keep, kept=True)
    with tempfile.TemporaryDirectory(prefix="rcep-demo-") as workdir:
        return _run(args, Path(workdir), kept=False)


def _run(args, workdir: Path, kept: bool) -> int:
    import dataclasses
    import uuid

    from connectors.declaration import build, load_shipment_file, to_xml
    from connectors.ledger import Ledger
    from connectors.single_window.client import SingleWindowClient, SingleWindowError
    from connectors.single_window.embedded import DEMO_USERS, running
    from connectors.summary_pdf import certificate_pdf

    files = sorted(data_path("samples").glob("*.json"))
    reference = options.reference(args)
    shipments, failures = options.load(files)
    results = options.evaluate_all(args, shipments)
    base_path = data_path(*BASE_SHIPMENT)
    base = load_shipment_file(base_path)
    in_base = {Path(i["goods_file"]).name: i for i in base["items"] if "goods_file" in i}
    rows, rejection = [], None
    with running(workdir / "single-window") as (endpoint, _app):
        user, password = next(iter(DEMO_USERS.items()))
        ledger = Ledger(workdir / "ledger.sqlite3")
        client = SingleWindowClient(endpoint, user, password, ledger)
        try:
            for path, ev in results:
                country = ev.shipment.importing_party
                row = {
                    "file": path.name,
                    "good": ev.shipment.good.code,
                    "originating": ev.originating,
                    "criterion": ev.criterion,
                    "annotations": list(ev.annotations),
                    "importer": None,
                    "quantity": None,
                    "reference": None,
                    "certificate": None,
                    "issued_at": None,
                }
                rows.append(row)
                if not ev.originating:
                    continue
                shipment = _shipment_for(base, path, country, in_base.get(path.name))
                outcome = client.submit(to_xml(build(shipment, base_path.parent, reference)))
                entry = outcome.entry
                item = shipment["items"][0]
                row |= {
                    "importer": f"{shipment['importer']['name']} ({country})",
                    "quantity": f"{item['quantity']['value']} {item['quantity']['unit']}",
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
            # The bundled shipment's declaration, claiming CTC for the base station, which
            # only meets RVC: the Single Window's own check refuses it.
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
            raise CommandError(
                error.code, f"the Single Window did not settle a demo declaration: {error}"
            ) from None
        finally:
            client.session.close()
            ledger.close()
    report = {
        "endpoint": endpoint,
        "workdir": str(workdir) if kept else None,
        "goods": rows,
        "rejection": rejection,
    }
    if args.json:
        json_out(report)
    else:
        _show(report, workdir, kept)
    report_failures(failures, args.json)
    return Exit.ERROR if failures else Exit.OK


def _shipment_for(base: dict, path: Path, country: str, listed: dict | None) -> dict:
    """The bundled shipment's exporter and transport, sent to a buyer in ``country`` with
    the good of ``path`` alone, in its own quantity and unit."""
    import uuid

    name, address, port = IMPORTERS[country]
    if listed:
        quantity, packages = listed["quantity"], listed["packages"]
        marks = listed["marks_and_numbers"]
    else:
        value, unit, number, kind = QUANTITIES.get(path.name, DEFAULT_QUANTITY)
        quantity, packages = {"value": value, "unit": unit}, {"number": number, "kind": kind}
        marks = "N/M"
    return dict(
        base,
        idempotency_key=str(uuid.uuid5(uuid.NAMESPACE_URL, f"rcep-origin-demo/{path.name}")),
        importer={"name": name, "address": address, "country": country},
        transport=dict(base["transport"], port_of_discharge=port),
        items=[
            {
                "goods_file": str(path),
                "marks_and_numbers": marks,
                "packages": packages,
                "quantity": quantity,
            }
        ],
    )


def _show(report: dict, workdir: Path, kept: bool) -> None:
    rows, rejection = report["goods"], report["rejection"]
    out.print(
        f"RCEP origin demo: {len(rows)} sample goods evaluated; each originating one declared "
        f"to its own importer and submitted over SOAP to a mock Single Window at "
        f"{report['endpoint']}; certificates verified with its signing certificate."
    )
    verdict = {True: "originating", False: "not originating", None: "not evaluated"}
    table(
        ("good", "verdict", "criterion", "importer", "quantity", "certificate", "issued at"),
        [
            (
                row["good"],
                verdict[row["originating"]],
                " ".join([row["criterion"] or "-", *row["annotations"]]),
                row["importer"] or "-",
                row["quantity"] or "-",
                row["certificate"] or "not declared",
                row["issued_at"] or "-",
            )
            for row in rows
        ],
        keep=("good", "verdict", "criterion", "quantity", "certificate", "issued at"),
    )
    reason = (rejection["reasons"] or [{}])[0]
    out.print(
        f"Rejected ({rejection['reference']}): the bundled shipment's declaration claiming CTC "
        f"for the base station: {reason.get('code')}: {reason.get('message')}"
    )
    if kept:
        out.print(f"Certificates (signed XML and PDF) and the ledger are in {workdir}.")
    else:
        out.print(
            "The certificates, the ledger and the service's signing key were in a temporary "
            "folder, now removed; give --keep DIR to keep them."
        )
