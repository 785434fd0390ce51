"""An export clerk declares a shipment and is told everything that stops it at once: every
item that cannot be declared, every bad field by its place in the shipment file, and that a
goods file is not a shipment file (issue 13, `declare`)."""

import json

import pytest

from connectors.cli import main
from connectors.declaration import DeclarationError, build, load_shipment_file
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

SHIPMENT = data_path("shipments", "hcmc_switchgear_and_phones.json")
SAMPLES = SHIPMENT.parent.parent / "samples"
BUNDLED = Reference.load(rule_files=())


def shipment_with(*goods: str) -> dict:
    """The bundled shipment with one item per sample goods file named."""
    data = load_shipment_file(SHIPMENT)
    data["items"] = [
        {
            "goods_file": str(SAMPLES / name),
            "marks_and_numbers": f"M/{n}",
            "packages": {"number": 1, "kind": "carton"},
            "quantity": {"value": "10", "unit": "PCE"},
        }
        for n, name in enumerate(goods)
    ]
    return data


def refused(data: dict) -> DeclarationError:
    with pytest.raises(DeclarationError) as caught:
        build(data, SHIPMENT.parent, BUNDLED)
    return caught.value


def written(tmp_path, data: dict):
    path = tmp_path / "shipment.json"
    path.write_text(json.dumps(data))
    return path


NOT_ORIGINATING = "07_cordless_phone_expired_proof.json"
NO_RULE = "10_cnc_spindle_housing_psr_not_found.json"
GOOD = "02_base_station_rvc.json"


def test_every_item_that_cannot_be_declared_is_named_not_only_the_first():
    error = refused(shipment_with(NOT_ORIGINATING, GOOD, NO_RULE))
    assert [(p.code, p.path) for p in error.problems] == [
        ("ITEM_NOT_ORIGINATING", "items[0]"),
        ("ITEM_REVIEW_ERRORS", "items[2]"),
    ]
    assert error.code == "ITEM_NOT_ORIGINATING" and error.path == "items[0]"
    assert "item 1 (DECT-220)" in str(error) and "item 3 (" in str(error)
    assert "PSR_NOT_FOUND" in str(error)
    assert [e["path"] for e in error.as_dict()["errors"]] == ["items[0]", "items[2]"]


def test_the_command_line_prints_every_refused_item_and_exits_1(tmp_path, capsys):
    path = written(tmp_path, shipment_with(NOT_ORIGINATING, GOOD, NO_RULE))
    out = tmp_path / "declaration.xml"
    assert main(["declare", str(path), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "items[0]: item 1 (DECT-220) is not originating" in err
    assert "items[2]: item 3 (" in err and "review errors" in err
    assert not out.exists()


def test_json_output_lists_every_problem(tmp_path, capsys):
    path = written(tmp_path, shipment_with(NOT_ORIGINATING, NO_RULE))
    assert main(["declare", str(path), "--out", str(tmp_path / "x.xml"), "--json"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert [(e["code"], e["path"]) for e in error["errors"]] == [
        ("ITEM_NOT_ORIGINATING", "items[0]"),
        ("ITEM_REVIEW_ERRORS", "items[1]"),
    ]


def test_a_bad_unit_is_named_by_its_shipment_field_not_by_a_line_of_xml(tmp_path, capsys):
    data = shipment_with(GOOD, GOOD)
    data["items"][1]["quantity"]["unit"] = "pieces"
    error = refused(data)
    assert (error.code, error.path) == ("SHIPMENT_INVALID", "items[1].quantity.unit")
    assert "'pieces'" in str(error) and "PCE" in error.hint
    out = tmp_path / "declaration.xml"
    assert main(["declare", str(written(tmp_path, data)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "items[1].quantity.unit" in err
    assert "line" not in err and "Quantity" not in err  # no XML was written to point into
    assert not out.exists()


@pytest.mark.parametrize(
    "field, value",
    [("quantity", {"value": "1.1234567", "unit": "PCE"}), ("packages", {"number": "1.5"})],
)
def test_a_quantity_or_package_count_the_schema_refuses_is_named_by_its_field(field, value):
    data = shipment_with(GOOD)
    data["items"][0][field] = value | ({"kind": "carton"} if field == "packages" else {})
    error = refused(data)
    expected = "items[0].quantity.value" if field == "quantity" else "items[0].packages.number"
    assert (error.code, error.path) == ("SHIPMENT_INVALID", expected)


def test_a_bad_field_and_a_refused_item_are_reported_together_with_the_worst_exit(tmp_path, capsys):
    data = shipment_with(NOT_ORIGINATING, GOOD)
    data["items"][1]["quantity"]["unit"] = "pieces"
    del data["transport"]["vessel_or_flight"]
    error = refused(data)
    assert [p.path for p in error.problems] == [
        "transport.vessel_or_flight",
        "items[0]",
        "items[1].quantity.unit",
    ]
    assert error.code == "SHIPMENT_INVALID"  # a problem of the file itself: exit 2
    out = tmp_path / "declaration.xml"
    assert main(["declare", str(written(tmp_path, data)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "3 problems" in err and "transport.vessel_or_flight" in err


def test_a_missing_header_still_reports_the_items_own_fields():
    data = shipment_with(GOOD)
    del data["transport"]
    data["items"][0]["quantity"]["unit"] = "pieces"
    assert [p.path for p in refused(data).problems] == [
        "transport.departure_date",
        "items[0].quantity.unit",
    ]


def test_a_goods_file_given_as_the_shipment_is_said_to_be_one(capsys, tmp_path):
    goods = SAMPLES / GOOD
    assert main(["declare", str(goods), "--out", str(tmp_path / "x.xml")]) == 2
    err = capsys.readouterr().err
    assert "SHIPMENT_IS_GOODS_FILE" in err and "is a goods file" in err
    assert "goods_file" in err  # what to give instead
    with pytest.raises(DeclarationError) as caught:
        build(json.loads(goods.read_text()), SAMPLES, BUNDLED)
    assert caught.value.code == "SHIPMENT_IS_GOODS_FILE"


def test_a_list_of_goods_is_a_goods_file_too(tmp_path):
    goods = json.loads((SAMPLES / GOOD).read_text())
    path = tmp_path / "goods.json"
    path.write_text(json.dumps([goods, goods]))
    with pytest.raises(DeclarationError) as caught:
        load_shipment_file(path)
    assert caught.value.code == "SHIPMENT_IS_GOODS_FILE"
