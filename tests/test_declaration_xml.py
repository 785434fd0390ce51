"""An export clerk turns a shipment into the declaration XML that the Single Window accepts,
and nothing that fails the schema ever leaves the building (xsd/, Annex 3B)."""

import copy
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.cli import main
from connectors.declaration import DeclarationError, build, from_xml, load_shipment_file, to_xml
from connectors.xmlsafe import SchemaInvalid, parse_untrusted, problems
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "xsd" / "examples"
SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
BUNDLED = Reference.load(rule_files=())


def shipment(**changes):
    data = load_shipment_file(SHIPMENT)
    data.update(changes)
    return data


def declare(data):
    return build(data, SHIPMENT.parent, BUNDLED)


def test_a_shipment_of_three_originating_goods_becomes_a_valid_declaration_and_reads_back():
    declaration = declare(shipment())
    xml = to_xml(declaration)

    assert problems(parse_untrusted(xml)) == []
    assert from_xml(xml) == declaration  # build -> validate -> parse back -> same data
    criteria = [(i.evidence.item_code, i.criterion, i.annotations) for i in declaration.items]
    assert criteria == [
        ("SWC-630", "CTC", ()),
        ("BTS-5G-32", "RVC", ()),
        ("MGT-1000", "CTC", ("ACU",)),
    ]


@pytest.mark.parametrize(
    "spelling", [{"true": " true ", "false": "\tfalse\n"}, {"true": "1", "false": "0"}]
)
def test_every_spelling_of_a_boolean_the_schema_takes_reads_the_same(spelling):
    # xs:boolean is 1 or 0 too, and its spaces collapse: " true " once read as false
    declaration = declare(shipment())
    xml = re.sub(
        rb"(<d:(?:Originating|WhollyObtained|Transposed)>)(true|false)<",
        lambda m: m.group(1) + spelling[m.group(2).decode()].encode() + b"<",
        to_xml(declaration),
    )
    assert problems(parse_untrusted(xml)) == []
    assert from_xml(xml) == declaration


def test_the_fob_value_is_declared_only_where_rvc_is_the_criterion():
    switchgear, base_station, _ = declare(shipment()).items
    assert switchgear.fob_value is None
    # 2 sets x FOB 4,200.00 (Annex 3B CO (k), box 12)
    assert base_station.fob_value == Decimal("8400.00")
    assert base_station.evidence.rvc.build_down == Decimal("58.57")


def test_the_evidence_carries_the_rule_and_every_bom_line_from_the_evaluation():
    switchgear = declare(shipment()).items[0]
    assert switchgear.evidence.rule.text == "CTH or RVC40"
    assert switchgear.evidence.rule.transposed is True
    lines = {line.code: line for line in switchgear.evidence.bom}
    assert lines["PC-RESIN"].originating is True
    assert lines["PC-RESIN"].proof.reference == "KR-RCEP-2026-55120"
    assert lines["PC-RESIN"].proof.valid_until.isoformat() == "2027-02-28"
    assert lines["CONTACT-INSERT"].processes == ("stamping", "heat_treatment", "surface_treatment")
    assert lines["BRASS-BAR"].originating is False and lines["BRASS-BAR"].value == Decimal("9.00")
    assert lines["SPRING-S"].path == "good.bom[0].bom[1]"


def test_a_good_that_is_not_originating_is_refused_by_name_with_its_issue_codes():
    data = shipment(
        items=[
            {
                "goods_file": "../samples/06_busbar_parts_minimal_operations.json",
                "marks_and_numbers": "N/M",
                "packages": {"number": 1, "kind": "box"},
                "quantity": {"value": "10", "unit": "SET"},
            }
        ]
    )
    with pytest.raises(DeclarationError) as refused:
        declare(data)
    assert refused.value.code == "ITEM_NOT_ORIGINATING"
    assert "item 1 (BB-KIT-400)" in str(refused.value)
    assert "PROCESS_MINIMAL" in str(refused.value)


def test_a_good_with_review_errors_is_refused_with_the_errors():
    data = shipment(
        items=[
            {
                "goods_file": "../samples/10_cnc_spindle_housing_psr_not_found.json",
                "marks_and_numbers": "N/M",
                "packages": {"number": 1, "kind": "box"},
                "quantity": {"value": "1", "unit": "PCE"},
            }
        ]
    )
    with pytest.raises(DeclarationError) as refused:
        declare(data)
    assert refused.value.code == "ITEM_REVIEW_ERRORS"
    assert "PSR_NOT_FOUND" in str(refused.value)


def test_a_missing_shipment_field_is_named():
    data = shipment()
    del data["transport"]["vessel_or_flight"]
    with pytest.raises(DeclarationError) as refused:
        declare(data)
    assert refused.value.code == "SHIPMENT_INVALID"
    assert refused.value.path == "transport.vessel_or_flight"


def test_a_declaration_that_breaks_the_schema_is_never_produced():
    data = shipment()
    data["exporter"]["customs_code"] = "33-02961"  # not the 10-character registration code
    with pytest.raises(SchemaInvalid) as invalid:
        to_xml(declare(data))
    (problem,) = invalid.value.problems
    assert problem.path.endswith("c:CustomsCode") and problem.line > 0


# --- the example documents of the contract -----------------------------------------------------


def test_there_are_valid_examples_for_each_criterion_family_and_eight_invalid_ones():
    names = sorted(p.name for p in EXAMPLES.glob("*.xml"))
    assert {"valid-ctc-acu.xml", "valid-rvc.xml", "valid-wo.xml"} <= set(names)
    assert len([n for n in names if n.startswith("invalid-")]) >= 8


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("valid-*.xml")), ids=lambda p: p.name)
def test_every_valid_example_is_valid_and_reads_back(path):
    data = path.read_bytes()
    assert problems(parse_untrusted(data)) == []
    assert from_xml(data).items


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("invalid-*.xml")), ids=lambda p: p.name)
def test_every_invalid_example_is_rejected_for_the_rule_it_names(path):
    text = path.read_text()
    expected = re.search(r"<!-- breaks: (.+); expect: (\w+) -->", text)
    assert expected, "each invalid example names the rule it breaks"
    found = problems(parse_untrusted(text.encode()))
    assert found, f"{path.name} should be invalid: {expected.group(1)}"
    assert any(expected.group(2) in f"{p.path} {p.message}" for p in found), found


# --- property: every originating sample can be declared ----------------------------------------

ORIGINATING_SAMPLES = [
    "01_switchgear_contact_carrier_ctc.json",
    "02_base_station_rvc.json",
    "03_audio_amplifier_dmi.json",
    "04_magnetron_acu.json",
    "05_amplifier_set_rollup.json",
    "08_smartphone_transposed_rule.json",
]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(ORIGINATING_SAMPLES), min_size=1, max_size=4),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3),
    st.integers(1, 9999),
    st.text(
        alphabet=st.characters(
            min_codepoint=33, max_codepoint=0x2FFF, blacklist_categories=("Cs", "Cc")
        ),
        min_size=1,
        max_size=40,
    ),
)
def test_any_originating_sample_yields_a_valid_declaration(samples, quantity, packages, marks):
    data = shipment(
        items=[
            {
                "goods_file": f"../samples/{name}",
                "marks_and_numbers": marks,
                "packages": {"number": packages, "kind": "carton"},
                "quantity": {"value": str(quantity), "unit": "PCE"},
            }
            for name in samples
        ]
    )
    xml = to_xml(declare(data))
    assert problems(parse_untrusted(xml)) == []
    assert [i.number for i in from_xml(xml).items] == list(range(1, len(samples) + 1))


# --- the command line ---------------------------------------------------------------------------


def test_declare_writes_the_validated_file_and_validate_accepts_it(tmp_path, capsys):
    out = tmp_path / "declaration.xml"
    assert main(["declare", str(SHIPMENT), "--out", str(out)]) == 0
    assert "3f6c2a9e-8d1b-4c57-9a0e-5b2f7d41c8e3" in capsys.readouterr().out
    assert main(["validate", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"file": str(out), "valid": True, "problems": []}


def test_declare_refuses_a_non_originating_shipment_and_writes_nothing(tmp_path, capsys):
    data = json.loads(SHIPMENT.read_text())
    for item in data["items"]:  # the shipment is copied elsewhere: its goods files with it
        item["goods_file"] = str((SHIPMENT.parent / item["goods_file"]).resolve())
    data["items"][0]["goods_file"] = str(
        data_path("samples", "07_cordless_phone_expired_proof.json")
    )
    bad = tmp_path / "shipment.json"
    bad.write_text(json.dumps(data))
    out = tmp_path / "declaration.xml"
    assert main(["declare", str(bad), "--out", str(out)]) == 1
    assert "ITEM_NOT_ORIGINATING" in capsys.readouterr().err
    assert not out.exists()


def test_validate_says_where_an_invalid_document_breaks_the_schema(capsys):
    path = EXAMPLES / "invalid-01-hs-four-digits.xml"
    assert main(["validate", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (problem,) = report["problems"]
    assert problem["path"] == "/d:Declaration/d:Items/d:Item/c:HSCode"
    assert problem["line"] > 1 and "[0-9]{6}" in problem["message"]


def test_validate_reports_an_unreadable_file_with_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.xml"
    broken.write_text("<Declaration><Items></Declaration>")
    assert main(["validate", str(broken)]) == 2
    assert "not well-formed" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "missing.xml")]) == 2


def test_a_declaration_round_trips_with_third_party_invoicing_and_back_to_back():
    data = copy.deepcopy(shipment())
    data["third_party_invoicing"] = {
        "operator_name": "Kaida Trading (HK) Ltd.",
        "operator_address": "9 Queen's Road Central, Hong Kong",
        "operator_country": "HK",
    }
    data["back_to_back"] = {
        "original_proof_reference": "SG-2026-000017",
        "original_issue_date": "2026-10-02",
        "first_exporting_party_origin": "SG",
    }
    declaration = declare(data)
    assert from_xml(to_xml(declaration)) == declaration


@pytest.mark.parametrize(
    "name", ["receipt-issued.xml", "rejection.xml", "certificate-unsigned.xml"]
)
def test_the_answers_of_the_single_window_have_valid_examples_too(name):
    assert problems(parse_untrusted((EXAMPLES / name).read_bytes())) == []


def test_a_receipt_timestamp_without_its_offset_is_invalid():
    text = (EXAMPLES / "receipt-issued.xml").read_text()
    found = problems(parse_untrusted(text.replace("09:14:03+08:00", "09:14:03").encode()))
    assert any("ReceivedAt" in p.path for p in found)
