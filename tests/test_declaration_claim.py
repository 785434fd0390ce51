"""The exporter's choice reaches the declaration: an item whose good claims RVC is declared
under RVC, with the FOB value that criterion needs (Annex 3B CO (k)); a claim that does not
hold stops the item (nothing is written)."""

import json

import pytest

from connectors.declaration import DeclarationError, build, load_shipment_file, to_xml
from connectors.xmlsafe import parse_untrusted, problems
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
BUNDLED = Reference.load(rule_files=())


def with_claim(claim):
    data = load_shipment_file(SHIPMENT)
    item = data["items"][0]
    sample = json.loads((SHIPMENT.parent / item.pop("goods_file")).read_text())
    item["good"] = {**sample["good"], "claim": claim}
    return data


def test_a_switchgear_part_claimed_under_rvc_is_declared_under_rvc():
    declaration = build(with_claim("RVC"), SHIPMENT.parent, BUNDLED)

    switchgear = declaration.items[0]
    assert switchgear.criterion == "RVC"
    assert switchgear.fob_value is not None  # declared where RVC is the criterion
    assert problems(parse_untrusted(to_xml(declaration))) == []


def test_a_claim_that_does_not_hold_stops_the_item():
    with pytest.raises(DeclarationError) as refused:
        build(with_claim("WO"), SHIPMENT.parent, BUNDLED)

    assert refused.value.code == "ITEM_NOT_ORIGINATING"
    assert "CRITERION_CLAIM_NOT_MET" in str(refused.value)
