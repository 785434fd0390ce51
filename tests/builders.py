"""Small builders for goods files, so that tests read like the exporter's own story.

    good = make_good("8538.90", fob="100.00", bom=[bought("7407.21", "30.00", origin="DE")])
    result = run(good)

Values are strings (money) as in a real goods file; ``run`` goes through the same JSON reader
as the command line, so tests exercise exactly what a user's file would.
"""

import json
from decimal import Decimal

from rcep_rules import evaluate, load_shipments

SHIPMENT_DATE = "2026-11-20"

_counter = iter(range(1, 1_000_000))


def proof(kind="RCEP_CO", reference="REF-1", valid_until="2027-06-30", issue_date=None):
    p = {"type": kind, "reference": reference}
    if valid_until:
        p["valid_until"] = valid_until
    if issue_date:
        p["issue_date"] = issue_date
    return p


def bought(hs, cost, origin=None, qty=1, code=None, with_proof=None, role=None, **extra):
    """A bought material; ``with_proof=True`` gives it a valid RCEP certificate."""
    line = {"code": code or f"M{next(_counter)}", "hs_code": hs, "quantity": qty, "unit_cost": cost}
    if origin:
        line["origin_country"] = origin
    if with_proof is True:
        line["proof"] = proof()
    elif with_proof:
        line["proof"] = with_proof
    if role:
        line["role"] = role
    line.update(extra)
    return line


def made(hs, bom, processes=("assembly",), qty=1, code=None, **extra):
    """An in-house sub-assembly with its own BOM."""
    line = {
        "code": code or f"S{next(_counter)}",
        "hs_code": hs,
        "quantity": qty,
        "processes": list(processes),
        "bom": bom,
    }
    line.update(extra)
    return line


def make_good(
    hs, fob="100.00", bom=(), processes=("cnc_machining", "assembly"), code="GOOD", **extra
):
    good = {
        "code": code,
        "description": "test good",
        "hs_code": hs,
        "fob": fob,
        "processes": list(processes),
        "bom": list(bom),
    }
    good.update(extra)
    return good


def shipment(good, exporting="CN", importing="VN", date=SHIPMENT_DATE, currency="USD"):
    return {
        "exporting_party": exporting,
        "importing_party": importing,
        "shipment_date": date,
        "currency": currency,
        "good": good,
    }


def run(good, reference=None, **shipment_fields):
    """Evaluate a good as the CLI would: through JSON text."""
    text = json.dumps(shipment(good, **shipment_fields))
    return evaluate(load_shipments(text)[0], reference)


def codes(result):
    return {i.code for i in result.issues}


def issue(result, code):
    found = [i for i in result.issues if i.code == code]
    assert found, f"no {code} in {[i.code for i in result.issues]}"
    return found[0]


def D(value):
    return Decimal(value)
