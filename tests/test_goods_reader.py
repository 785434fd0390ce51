"""The goods-file reader gives every field of a BOM line where it belongs, whether the line
takes the quick path (plain strings) or the careful one (values it must check), and reads a
line the same however often its component appears."""

from decimal import Decimal

from rcep_rules import parse_shipment


def shipment(*lines):
    return {
        "exporting_party": "CN",
        "importing_party": "VN",
        "shipment_date": "2026-11-20",
        "currency": "USD",
        "good": {"code": "SWC-630", "hs_code": "8538.90", "fob": "48.00", "bom": list(lines)},
    }


FULL = {
    "code": "SPRING-S",
    "description": "Contact spring",
    "hs_code": "7320.20",
    "hs_version": "HS2022",
    "quantity": "2",
    "unit_cost": "0.15",
    "origin_country": "jp",
    "proof": {"type": "RCEP_CO", "reference": "JP-RCEP-2026-118842", "valid_until": "2027-05-03"},
    "role": "packing",
    "processes": ["stamping"],
    "wholly_obtained": True,
    "weight": "0.01",
    "currency": "usd",
    "direct_labour": "0.80",
}


def test_every_field_of_a_bought_line_lands_on_its_material():
    line = parse_shipment(shipment(FULL)).good.bom[0]
    assert (line.path, line.code, line.description) == ("good.bom[0]", "SPRING-S", "Contact spring")
    assert (line.hs, line.hs_full, line.hs_version) == ("732020", "732020", "HS2022")
    assert (line.quantity, line.unit_cost, line.weight) == (
        Decimal(2),
        Decimal("0.15"),
        Decimal("0.01"),
    )
    assert (line.origin_country, line.currency, line.role) == ("JP", "USD", "packing")
    assert (line.proof.reference, line.proof.valid_until.isoformat()) == (
        "JP-RCEP-2026-118842",
        "2027-05-03",
    )
    assert line.processes == ("stamping",)
    assert line.wholly_obtained is True
    assert line.costs == (Decimal("0.80"), 0, 0, 0)
    assert line.bom is None and line.kind.proof is line.proof


def test_the_same_component_on_two_lines_is_two_materials_with_their_own_paths_and_quantities():
    second = dict(FULL, quantity="5")
    first, again = parse_shipment(shipment(FULL, second)).good.bom
    assert (first.path, first.quantity) == ("good.bom[0]", Decimal(2))
    assert (again.path, again.quantity) == ("good.bom[1]", Decimal(5))
    assert first.proof == again.proof and first.kind is again.kind


def test_values_the_quick_path_cannot_take_are_reported_with_their_path():
    odd = dict(FULL, code=17, description=["a"], unit_cost="-1", wholly_obtained="yes")
    parsed = parse_shipment(shipment(odd))
    line = parsed.good.bom[0]
    assert line.code == "17"  # a number is a code too
    assert line.unit_cost is None
    found = {(i.code, i.path) for i in parsed.input_issues}
    assert ("BOM_COST_MISSING", "good.bom[0]") in found
    assert ("INPUT_INVALID", "good.bom[0].description") in found
    assert ("INPUT_INVALID", "good.bom[0].wholly_obtained") in found


def test_values_of_the_wrong_kind_are_reported_never_a_crash():
    odd = dict(FULL, hs_code=["7320.20"], proof={"type": "RCEP_CO", "reference": ["x"]})
    twice = parse_shipment(shipment(odd, dict(odd, hs_code={"code": "7320.20"})))
    first, second = twice.good.bom
    assert (first.hs, first.hs_full) == ("?", "['7320.20']")  # the review says HS_INVALID
    assert (second.hs, second.hs_full) == ("?", "{'code': '7320.20'}")
    found = {(i.code, i.path) for i in twice.input_issues}
    assert ("INPUT_INVALID", "good.bom[0].proof.reference") in found
    assert ("INPUT_INVALID", "good.bom[1].proof.reference") in found  # each line its own
