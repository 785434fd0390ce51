"""What the goods file says that the engine cannot use is said back, not silently dropped.

* A bought line marked ``wholly_obtained`` without a valid proof stays non-originating (a
  bought material is originating only with a proof, Art 3.16), and a warning names the line.
* A key the format does not know -- a typo such as ``proccesses`` -- is INPUT_UNKNOWN_FIELD, a
  warning with its path and the nearest known key.
"""

import json

from builders import bought, codes, issue, make_good, proof, run, shipment

from rcep_rules import load_shipments


def copper_good(line):
    return make_good("8538.90", fob="100.00", bom=[line])


def test_a_bought_line_marked_wholly_obtained_without_proof_is_named_in_a_warning():
    ore = bought("7407.21", "30.00", origin="CN", code="CU-CATHODE", wholly_obtained=True)

    result = run(copper_good(ore))

    found = issue(result, "ORIGIN_WO_UNPROVEN")
    assert found.severity == "warning"
    assert found.path == "good.bom[0]"
    assert "CU-CATHODE" in found.message
    verdict = result.materials[0]
    assert verdict.originating is False  # non-originating as before
    assert result.originating is True  # (CTH still holds: the verdict is the rule's)


def test_with_a_supplier_declaration_the_wholly_obtained_line_raises_nothing():
    ore = bought(
        "7407.21",
        "30.00",
        origin="CN",
        code="CU-CATHODE",
        wholly_obtained=True,
        with_proof=proof("SUPPLIER_DECLARATION", "SD-1"),
    )

    assert "ORIGIN_WO_UNPROVEN" not in codes(run(copper_good(ore)))


def test_a_typo_in_a_line_key_is_an_unknown_field_with_the_nearest_known_key():
    line = bought("7407.21", "30.00", origin="DE", code="BRASS", proccesses=["cutting"])

    result = run(copper_good(line))

    found = issue(result, "INPUT_UNKNOWN_FIELD")
    assert found.severity == "warning"
    assert found.path == "good.bom[0].proccesses"
    assert "Did you mean 'processes'?" in found.hint
    assert result.originating is True  # a warning: the evaluation goes on


def test_unknown_keys_of_the_good_and_a_proof_are_each_reported():
    line = bought("7407.21", "30.00", origin="KR", code="BRASS")
    line["proof"] = {"type": "RCEP_CO", "reference": "KR-1", "valid_untill": "2027-01-31"}
    good = copper_good(line)
    good["incoterms"] = "FOB"

    result = run(good)
    unknown = {i.path: i for i in result.issues if i.code == "INPUT_UNKNOWN_FIELD"}

    assert set(unknown) == {"good.incoterms", "good.bom[0].proof.valid_untill"}
    assert "Did you mean 'valid_until'?" in unknown["good.bom[0].proof.valid_untill"].hint
    assert "Did you mean 'incoterm'?" in unknown["good.incoterms"].hint


def test_a_key_like_no_known_one_lists_the_fields():

    data = shipment(copper_good(bought("7407.21", "30.00", origin="DE")))
    data["zzz"] = 1
    found = [i for i in load_shipments(json.dumps(data))[0].input_issues]

    assert [(i.code, i.path) for i in found] == [("INPUT_UNKNOWN_FIELD", "zzz")]
    assert "Did you mean" not in found[0].hint
    assert "exporting_party" in found[0].hint
