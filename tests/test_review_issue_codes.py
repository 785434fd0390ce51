"""An exporter's compliance officer runs the pre-review on goods files that are not quite right.

Each story below is one mistake a real goods file makes, and what the review says about it:
the stable code, its severity (DESIGN.md "Pre-review issue codes"), the path into the file,
a message and a hint that names what to fix, and whether the good could still be evaluated
(exit code 2 and no verdict when any error is found).

Only the bundled rules are loaded, so a user's own rules file never changes these answers.
"""

import json

import pytest
from builders import bought, made, make_good, proof, run, shipment

from rcep_rules import GoodsFileError, Reference, evaluate, load_shipments, review

BUNDLED_ONLY = Reference.load(rule_files=())


def brass(**extra):
    """30.00 of German brass bar: non-originating, and another heading than any good here."""
    return bought("7407.21", "30.00", origin="DE", code="BRASS-BAR", **extra)


def check(good, **shipment_fields):
    return run(good, BUNDLED_ONLY, **shipment_fields)


def reported(result, code, path, severity, *hint_names):
    """The one issue ``code`` at ``path``; its severity, message and hint are checked."""
    found = [i for i in result.issues if i.code == code and i.path == path]
    assert len(found) == 1, (
        f"expected one {code} at {path}, got {[(i.code, i.path) for i in result.issues]}"
    )
    issue = found[0]
    assert issue.severity == severity
    assert issue.message.strip()
    assert issue.hint.strip()
    for name in hint_names:
        assert name in issue.hint, f"hint of {code} does not name {name!r}: {issue.hint}"
    assert issue.as_dict() == {
        "code": code,
        "severity": severity,
        "path": path,
        "message": issue.message,
        "hint": issue.hint,
    }
    return issue


def assert_not_evaluated(result):
    assert result.exit_code == 2
    assert result.errors
    assert result.originating is None
    assert result.criterion is None
    as_dict = result.as_dict()
    assert as_dict["originating"] is None
    assert as_dict["criterion"] is None
    assert as_dict["rvc"] is None


def codes(result):
    return [i.code for i in result.issues]


# --- HS codes ------------------------------------------------------------------------------------


def test_a_good_sent_for_review_without_its_hs_code_is_stopped_and_told_where_to_add_it():
    result = check(make_good(None, bom=[brass()]))

    issue = reported(result, "HS_MISSING", "good", "error", "good.hs_code")
    assert "GOOD" in issue.message
    assert_not_evaluated(result)


def test_a_bom_line_without_an_hs_code_is_an_error_at_that_line():
    good = make_good("8538.90", bom=[brass(), bought(None, "5.00", origin="DE", code="SCREW")])

    result = check(good)

    issue = reported(result, "HS_MISSING", "good.bom[1]", "error", "good.bom[1].hs_code")
    assert "SCREW" in issue.message
    assert_not_evaluated(result)


def test_a_made_up_hs_code_is_invalid_in_hs2022():
    good = make_good("8538.90", bom=[brass(), bought("9999.99", "5.00", origin="DE")])

    result = check(good)

    issue = reported(result, "HS_INVALID", "good.bom[1]", "error", "HS2022", "classification")
    assert "9999.99" in issue.message
    assert "HS2012" not in issue.hint  # it exists in neither edition: nothing to suggest
    assert_not_evaluated(result)


def test_an_hs2012_code_left_in_an_hs2022_file_is_invalid_and_the_hint_names_the_other_edition():
    # 8517.12 (cellular telephones) was split in HS2022 into 8517.13 and 8517.14.
    good = make_good("8538.90", bom=[brass(), bought("8517.12", "5.00", origin="DE")])

    result = check(good)

    issue = reported(result, "HS_INVALID", "good.bom[1]", "error", "HS2012", "hs_version")
    assert "8517.12" in issue.message and "HS2022" in issue.message
    assert_not_evaluated(result)


def test_the_same_hs2012_code_is_accepted_once_the_line_says_it_is_hs2012():
    line = bought("8517.12", "5.00", origin="DE", hs_version="HS2012")

    result = check(make_good("8538.90", bom=[brass(), line]))

    assert "HS_INVALID" not in codes(result)
    assert result.exit_code == 0


def test_an_hs_code_with_letters_is_invalid_and_quoted_as_the_user_wrote_it():
    result = check(make_good("85AB.90", bom=[brass()]))

    issue = reported(result, "HS_INVALID", "good", "error")
    assert "85AB.90" in issue.message
    assert_not_evaluated(result)


def test_one_material_code_classified_twice_is_a_warning_naming_both_codes():
    good = make_good(
        "8538.90",
        bom=[
            bought("7407.21", "10.00", origin="DE", code="BRASS"),
            bought("7407.29", "10.00", origin="DE", code="BRASS"),
        ],
    )

    result = check(good)

    issue = reported(result, "HS_INCONSISTENT", "good.bom[1]", "warning", "HS code")
    assert "7407.29" in issue.message and "7407.21" in issue.message
    assert "good.bom[0]" in issue.message
    assert result.exit_code == 0  # a warning: the good is still evaluated
    assert result.originating is True


# --- product-specific rules ----------------------------------------------------------------------


def test_a_chapter_84_spindle_housing_has_no_loaded_rule_and_is_never_guessed():
    good = make_good("8466.93", fob="380.00", bom=[bought("7325.10", "60.00", origin="DE")])

    result = check(good)

    issue = reported(result, "PSR_NOT_FOUND", "good", "error", "rcep-origin psr import")
    assert "8466.93" in issue.message and "HS2022" in issue.message
    assert_not_evaluated(result)


def test_a_wholly_obtained_good_without_a_rule_only_gets_a_warning_and_qualifies_as_wo():
    result = check(make_good("8466.93", bom=[], wholly_obtained=True))

    reported(result, "PSR_NOT_FOUND", "good", "warning", "rcep-origin psr import")
    assert "BOM_EMPTY" not in codes(result)  # wholly obtained: no bill of materials needed
    assert result.originating is True
    assert result.criterion == "WO"
    assert result.exit_code == 0


def test_a_good_made_only_from_originating_materials_without_a_rule_qualifies_as_pe():
    castings = bought("7325.10", "60.00", origin="CN", with_proof=True, code="HOUSING-CAST")

    result = check(make_good("8466.93", fob="380.00", bom=[castings]))

    reported(result, "PSR_NOT_FOUND", "good", "warning")
    assert result.criterion == "PE"
    assert result.exit_code == 0


def test_an_in_house_sub_assembly_without_a_rule_is_a_warning_and_counts_transparently():
    housing = made(
        "8466.93",
        [bought("7325.10", "10.00", origin="DE")],
        code="HOUSING",
        unit_cost="20.00",
    )

    result = check(make_good("8538.90", bom=[housing, brass()]))

    reported(result, "PSR_NOT_FOUND", "good.bom[0]", "warning", "rcep-origin psr import")
    assert not result.errors
    assert result.exit_code == 0
    verdict = next(m for m in result.as_dict()["materials"] if m["code"] == "HOUSING")
    assert verdict["originating"] is False  # its 10.00 of German castings count for the good
    assert result.as_dict()["rvc"]["vnm"] == "40.00"


def test_a_smartphone_in_hs2022_is_judged_by_the_hs2012_rule_it_was_split_from():
    good = make_good("8517.13", fob="200.00", bom=[bought("8542.31", "60.00", origin="US")])

    result = check(good)

    issue = reported(result, "PSR_TRANSPOSED", "good", "warning", "8517.13", "import")
    assert "8517.13" in issue.message
    assert "8517.12" in issue.message
    assert "n:1" in issue.message
    rule = result.as_dict()["rule"]
    assert rule["text"] == "CTSH or RVC40"
    assert rule["transposed"] is True
    assert rule["correlation"] == ["8517.12"]
    assert rule["relationship"] == "n:1"
    assert result.exit_code == 0
    assert result.criterion == "CTC"


def test_an_hs2012_row_serving_the_same_hs2022_code_is_still_reported_as_transposed():
    result = check(make_good("8538.90", bom=[brass()]))

    issue = reported(result, "PSR_TRANSPOSED", "good", "warning")
    assert "85.38" in issue.message and "8538.90" in issue.message
    assert result.exit_code == 0


def test_a_partly_legible_rule_is_met_by_its_legible_cth_with_a_warning():
    # HS2012 85.22 reads "CTH or [cut off]": the change of heading is legible.
    good = make_good("8522.90", hs_version="HS2012", bom=[bought("8529.90", "30.00", origin="DE")])

    result = check(good)

    issue = reported(result, "PSR_PARTIAL", "good", "warning", "Annex 3A", "import")
    assert "85.22" in issue.message and "[cut off]" in issue.message
    assert result.originating is True
    assert result.criterion == "CTC"
    assert result.exit_code == 0


def test_a_partly_legible_rule_whose_cth_fails_is_not_met_by_the_illegible_alternative():
    # 30 % of the FOB is a non-originating part of the same heading 85.22: CTH fails (and de
    # minimis too). Whatever the cut-off alternative was (perhaps RVC40, which 70 % would
    # meet), it is never assumed.
    good = make_good("8522.90", hs_version="HS2012", bom=[bought("8522.90", "30.00", origin="DE")])

    result = check(good)

    reported(result, "PSR_PARTIAL", "good", "warning")
    assert result.originating is False
    assert result.satisfied == ()
    assert result.exit_code == 1
    assert result.as_dict()["rvc"]["build_down"] == "70.00"


# --- FOB -----------------------------------------------------------------------------------------


def test_a_good_without_a_fob_value_cannot_be_evaluated():
    good = make_good("8538.90", bom=[brass()])
    del good["fob"]

    result = check(good)

    reported(result, "FOB_MISSING", "good.fob", "error", "good.fob")
    assert_not_evaluated(result)


def test_a_zero_fob_value_is_as_good_as_missing():
    result = check(make_good("8538.90", fob="0.00", bom=[brass()]))

    reported(result, "FOB_MISSING", "good.fob", "error", "good.fob")
    assert_not_evaluated(result)


def test_a_cif_invoice_without_freight_and_insurance_leaves_the_fob_undetermined():
    good = make_good("8538.90", bom=[brass()], incoterm="CIF", invoice_value="120.00")
    del good["fob"]

    result = check(good)

    issue = reported(
        result, "FOB_UNDETERMINED", "good", "error", "freight", "insurance", "good.fob"
    )
    assert "CIF" in issue.message
    assert "FOB_MISSING" not in codes(result)
    assert_not_evaluated(result)


def test_an_invoice_value_without_its_incoterm_is_not_taken_for_the_fob():
    good = make_good("8538.90", bom=[brass()], invoice_value="120.00")
    del good["fob"]

    result = check(good)

    reported(result, "INCOTERM_MISSING", "good", "error", "good.incoterm", "good.fob")
    assert "FOB_MISSING" not in codes(result)
    assert "FOB_UNDETERMINED" not in codes(result)
    assert_not_evaluated(result)


def test_an_unknown_incoterm_is_reported_once_as_invalid_not_as_missing():
    good = make_good("8538.90", bom=[brass()], incoterm="FOBB", invoice_value="120.00")
    del good["fob"]

    result = check(good)

    assert "INPUT_INVALID" in codes(result)
    assert "INCOTERM_MISSING" not in codes(result)
    assert_not_evaluated(result)


def test_a_cif_invoice_with_freight_and_insurance_gives_the_fob_by_deducting_them():
    good = make_good(
        "8538.90",
        bom=[brass()],
        incoterm="CIF",
        invoice_value="120.00",
        freight="15.00",
        insurance="5.00",
    )
    del good["fob"]

    result = check(good)

    assert "FOB_UNDETERMINED" not in codes(result)
    assert "FOB_MISSING" not in codes(result)
    rvc = result.as_dict()["rvc"]
    assert rvc["fob"] == "100.00"  # 120.00 - 15.00 - 5.00
    assert rvc["build_down"] == "70.00"  # (100 - 30) / 100
    assert result.exit_code == 0


# --- the bill of materials ----------------------------------------------------------------------


def test_a_good_with_an_empty_bill_of_materials_that_is_not_wholly_obtained_is_stopped():
    result = check(make_good("8538.90", bom=[]))

    reported(result, "BOM_EMPTY", "good", "error", "good.bom", "wholly_obtained")
    assert_not_evaluated(result)


@pytest.mark.parametrize(
    "unit_cost, shown", [("-1.50", "-1.50"), ("abc", "abc")], ids=["negative", "text"]
)
def test_a_bom_line_with_an_unusable_unit_cost_is_an_error_at_its_unit_cost(unit_cost, shown):
    good = make_good("8538.90", bom=[brass(), bought("7318.15", unit_cost, origin="DE")])

    result = check(good)

    issue = reported(result, "BOM_COST_MISSING", "good.bom[1]", "error", "good.bom[1].unit_cost")
    assert shown in issue.message
    assert_not_evaluated(result)


def test_a_bought_bom_line_without_any_unit_cost_is_an_error_not_a_free_material():
    screws = bought("7318.15", "1.00", origin="DE", code="SCREW-M5")
    del screws["unit_cost"]

    result = check(make_good("8538.90", bom=[brass(), screws]))

    reported(result, "BOM_COST_MISSING", "good.bom[1]", "error", "good.bom[1].unit_cost")
    assert_not_evaluated(result)


@pytest.mark.parametrize(
    "quantity", [0, -2, "two", None], ids=["zero", "negative", "text", "blank"]
)
def test_a_bom_line_with_an_invalid_quantity_is_an_error_at_its_quantity(quantity):
    good = make_good("8538.90", bom=[brass(), bought("7318.15", "1.00", origin="DE", qty=quantity)])

    result = check(good)

    reported(result, "BOM_QTY_INVALID", "good.bom[1]", "error", "good.bom[1].quantity", "positive")
    assert_not_evaluated(result)


def test_a_sub_assembly_that_lists_the_finished_good_among_its_own_parts_is_a_cycle():
    insert = made(
        "8538.90",
        [
            bought("7407.21", "2.00", origin="DE", code="CU-STRIP"),
            bought("7320.20", "0.15", origin="DE", code="SPRING"),
            bought("8538.90", "1.00", origin="DE", code="SWC-630"),
        ],
        code="CONTACT-INSERT",
    )

    result = check(make_good("8538.90", code="SWC-630", bom=[insert, brass()]))

    issue = reported(result, "BOM_CYCLE", "good.bom[0].bom[2]", "error", "good.bom[0].bom[2]")
    assert "SWC-630" in issue.message
    assert_not_evaluated(result)


def test_materials_worth_more_than_the_fob_are_a_warning_and_the_good_is_still_evaluated():
    result = check(make_good("8538.90", fob="20.00", bom=[brass()]))

    issue = reported(result, "BOM_VALUE_EXCEEDS_FOB", "good", "warning", "good.bom")
    assert "30.00" in issue.message and "20.00" in issue.message
    assert result.originating is not None
    assert result.exit_code == 0  # CTH holds: brass is another heading


# --- origin of materials -------------------------------------------------------------------------


def test_a_material_of_unknown_origin_counts_as_non_originating_with_a_warning():
    mystery = bought("7318.15", "1.00", code="SCREW-M5")

    result = check(make_good("8538.90", bom=[brass(), mystery]))

    reported(
        result,
        "ORIGIN_UNKNOWN",
        "good.bom[1]",
        "warning",
        "good.bom[1].origin_country",
        "good.bom[1].proof",
    )
    verdict = next(m for m in result.as_dict()["materials"] if m["code"] == "SCREW-M5")
    assert verdict["originating"] is False
    assert result.as_dict()["rvc"]["vnm"] == "31.00"
    assert result.exit_code == 0


def test_a_japanese_material_without_proof_is_a_missed_cumulation():
    springs = bought("7320.20", "1.00", origin="JP", code="SPRING-S")

    result = check(make_good("8538.90", bom=[brass(), springs]))

    issue = reported(result, "ORIGIN_PROOF_MISSING", "good.bom[1]", "warning", "good.bom[1].proof")
    assert "JP" in issue.message and "cumulation" in issue.message
    verdict = next(m for m in result.as_dict()["materials"] if m["code"] == "SPRING-S")
    assert verdict["originating"] is False
    assert result.exit_code == 0


def test_a_certificate_that_expired_the_day_before_shipment_makes_the_material_non_originating():
    springs = bought(
        "7320.20", "1.00", origin="JP", code="SPRING-S", with_proof=proof(valid_until="2026-11-19")
    )

    result = check(make_good("8538.90", bom=[brass(), springs]), date="2026-11-20")

    issue = reported(result, "ORIGIN_PROOF_EXPIRED", "good.bom[1]", "warning", "good.bom[1].proof")
    assert "2026-11-19" in issue.message and "2026-11-20" in issue.message
    verdict = next(m for m in result.as_dict()["materials"] if m["code"] == "SPRING-S")
    assert verdict["originating"] is False


def test_a_certificate_valid_until_the_shipment_date_itself_still_counts():
    springs = bought(
        "7320.20", "1.00", origin="JP", code="SPRING-S", with_proof=proof(valid_until="2026-11-20")
    )

    result = check(make_good("8538.90", bom=[brass(), springs]), date="2026-11-20")

    assert "ORIGIN_PROOF_EXPIRED" not in codes(result)
    verdict = next(m for m in result.as_dict()["materials"] if m["code"] == "SPRING-S")
    assert verdict["originating"] is True


def test_a_certificate_issued_more_than_a_year_before_shipment_has_expired():
    old = proof(valid_until=None, issue_date="2025-06-01")
    springs = bought("7320.20", "1.00", origin="JP", code="SPRING-S", with_proof=old)

    result = check(make_good("8538.90", bom=[brass(), springs]), date="2026-11-20")

    reported(result, "ORIGIN_PROOF_EXPIRED", "good.bom[1]", "warning", "good.bom[1].proof")


def test_a_certificate_for_a_german_material_cannot_make_it_originating():
    certified = bought("7318.15", "1.00", origin="DE", code="SCREW-M5", with_proof=True)

    result = check(make_good("8538.90", bom=[brass(), certified]))

    issue = reported(
        result,
        "ORIGIN_PROOF_INVALID",
        "good.bom[1]",
        "warning",
        "good.bom[1].proof",
        "good.bom[1].origin_country",
    )
    assert "DE" in issue.message
    verdict = next(m for m in result.as_dict()["materials"] if m["code"] == "SCREW-M5")
    assert verdict["originating"] is False


def test_a_philippine_certificate_before_rcep_was_in_force_there_is_invalid():
    certified = bought("7318.15", "1.00", origin="PH", code="SCREW-M5", with_proof=True)

    result = check(make_good("8538.90", bom=[brass(), certified]), date="2023-01-15")

    issue = reported(result, "ORIGIN_PROOF_INVALID", "good.bom[1]", "warning", "good.bom[1]")
    assert "Philippines" in issue.message and "2023-01-15" in issue.message


# --- processes -----------------------------------------------------------------------------------


def test_no_process_on_a_good_with_non_originating_materials_is_an_error():
    result = check(make_good("8538.90", processes=[], bom=[brass()]))

    reported(result, "PROCESS_MISSING", "good", "error", "good.processes")
    assert_not_evaluated(result)


def test_no_process_on_a_good_of_only_originating_materials_is_just_a_warning():
    local_brass = bought("7407.21", "30.00", origin="CN", with_proof=True)

    result = check(make_good("8538.90", processes=[], bom=[local_brass]))

    reported(result, "PROCESS_MISSING", "good", "warning", "good.processes")
    assert result.criterion == "PE"
    assert result.exit_code == 0


def test_a_process_outside_the_vocabulary_is_an_error_that_lists_the_known_ones():
    good = make_good("8538.90", processes=["cnc_machining", "laser_engraving"], bom=[brass()])

    result = check(good)

    issue = reported(
        result, "PROCESS_UNKNOWN", "good.processes", "error", "cnc_machining", "assembly"
    )
    assert "laser_engraving" in issue.message
    assert_not_evaluated(result)


def test_cutting_and_packing_imported_copper_confers_no_origin_whatever_the_rule_says():
    good = make_good("8538.90", processes=["cutting", "marking", "packaging"], bom=[brass()])

    result = check(good)

    issue = reported(result, "PROCESS_MINIMAL", "good", "warning", "good.processes")
    assert "cutting" in issue.message
    assert result.originating is False
    assert result.criterion is None
    assert result.satisfied == ()
    assert result.exit_code == 1
    assert result.as_dict()["rvc"] is not None  # evaluated, not stopped


# --- parties -------------------------------------------------------------------------------------


def test_shipping_to_the_united_states_is_not_an_rcep_preference():
    result = check(make_good("8538.90", bom=[brass()]), importing="US")

    issue = reported(result, "PARTY_NOT_RCEP", "importing_party", "error", "importing_party")
    assert "US" in issue.message
    assert_not_evaluated(result)


def test_shipping_to_the_philippines_before_entry_into_force_is_an_error():
    result = check(make_good("8538.90", bom=[brass()]), importing="PH", date="2023-01-15")

    issue = reported(result, "PARTY_NOT_IN_FORCE", "importing_party", "error", "importing_party")
    assert "Philippines" in issue.message
    assert "2023-01-15" in issue.message and "2023-06-02" in issue.message
    assert_not_evaluated(result)


def test_shipping_to_the_philippines_on_the_day_of_entry_into_force_is_fine():
    result = check(make_good("8538.90", bom=[brass()]), importing="PH", date="2023-06-02")

    assert "PARTY_NOT_IN_FORCE" not in codes(result)
    assert result.exit_code == 0


def test_shipping_to_myanmar_is_evaluated_with_a_warning_to_confirm_with_customs():
    result = check(make_good("8538.90", bom=[brass()]), importing="MM")

    issue = reported(result, "PARTY_CONTESTED", "importing_party", "warning", "Myanmar")
    assert "Myanmar" in issue.message
    assert result.originating is True
    assert result.exit_code == 0


# --- currency ------------------------------------------------------------------------------------


def test_a_material_priced_in_euro_on_a_dollar_shipment_is_an_error():
    screws = bought("7318.15", "1.00", origin="DE", currency="EUR")

    result = check(make_good("8538.90", bom=[brass(), screws]))

    issue = reported(
        result, "CURRENCY_MISMATCH", "good.bom[1].currency", "error", "good.bom[1].currency", "USD"
    )
    assert "EUR" in issue.message and "USD" in issue.message
    assert_not_evaluated(result)


# --- wrong types ---------------------------------------------------------------------------------


def _bom_as_object(good):
    good["bom"] = {"code": "BRASS-BAR", "quantity": 1}


def _fob_as_list(good):
    good["fob"] = ["100.00"]


def _unknown_role(good):
    good["bom"].append(bought("4819.10", "0.30", origin="CN", role="wrapping"))


def _unknown_proof_type(good):
    good["bom"].append(bought("7320.20", "1.00", origin="JP", with_proof=proof(kind="EUR1")))


@pytest.mark.parametrize(
    "spoil, path, shown",
    [
        (_bom_as_object, "good.bom", "not a list"),
        (_fob_as_list, "good.fob", "['100.00']"),
        (_unknown_role, "good.bom[1].role", "'wrapping'"),
        (_unknown_proof_type, "good.bom[1].proof.type", "'EUR1'"),
    ],
    ids=["bom-not-a-list", "fob-as-a-list", "unknown-role", "unknown-proof-type"],
)
def test_a_field_of_the_wrong_kind_is_reported_at_its_path_instead_of_crashing(spoil, path, shown):
    good = make_good("8538.90", bom=[brass()])
    spoil(good)

    result = check(good)

    issue = reported(result, "INPUT_INVALID", path, "error", path)
    assert shown in issue.message
    assert_not_evaluated(result)


def test_a_shipment_date_written_day_first_is_reported_with_the_iso_form_expected():
    result = check(make_good("8538.90", bom=[brass()]), date="20/11/2026")

    issue = reported(result, "INPUT_INVALID", "shipment_date", "error", "shipment_date", "ISO")
    assert "20/11/2026" in issue.message
    assert_not_evaluated(result)


# --- malformed files never crash -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["this is not JSON", "[]", "42", '"a good"', "null", "{", b"\xff\xfe\x00"],
    ids=["prose", "empty-list", "number", "string", "null", "truncated", "binary"],
)
def test_only_a_file_that_is_not_json_or_holds_no_shipment_object_is_refused_outright(text):
    with pytest.raises(GoodsFileError) as refused:
        load_shipments(text)

    assert str(refused.value).strip()
    assert refused.value.hint.strip()
    assert refused.value.code == "INPUT_INVALID"


@pytest.mark.parametrize(
    "text",
    ["{}", '{"good": 5}', "[1, 2]", '{"good": {"bom": [null, 3, "x", {}]}}'],
    ids=["empty-object", "good-not-object", "list-of-numbers", "bom-of-rubbish"],
)
def test_any_other_malformed_file_comes_back_as_issues_not_exceptions(text):
    shipments = load_shipments(text)

    for s in shipments:
        result = evaluate(s, BUNDLED_ONLY)
        assert_not_evaluated(result)
        assert "INPUT_INVALID" in codes(result)
        json.dumps(result.as_dict())  # the report itself can be written out
        assert result.explanation


def test_the_second_good_of_a_list_is_located_by_its_position_in_the_file():
    broken = make_good("8538.90", bom=[brass(), bought(None, "1.00", origin="DE")])
    text = json.dumps([shipment(make_good("8538.90", bom=[brass()])), shipment(broken)])

    first, second = (evaluate(s, BUNDLED_ONLY) for s in load_shipments(text))

    assert first.exit_code == 0
    reported(second, "HS_MISSING", "[1].good.bom[1]", "error")


def test_a_quantity_typed_as_1e999_does_not_crash_the_report():
    huge = bought("7318.15", "1.00", origin="DE", code="SCREW-M5", qty="1e999")

    result = check(make_good("8538.90", bom=[brass(), huge]))

    as_dict = result.as_dict()  # must not raise decimal.InvalidOperation
    json.dumps(as_dict)
    assert result.explanation
    assert any(m["code"] == "SCREW-M5" for m in as_dict["materials"])


# --- review(): everything at once, errors first --------------------------------------------------


def test_review_lists_every_issue_of_a_file_with_the_errors_first():
    good = make_good(
        "8538.90",
        bom=[
            bought("7318.15", "1.00", code="NO-ORIGIN"),  # warning
            brass(),
            bought(None, "1.00", origin="DE", code="NO-HS"),  # error
            bought("7318.15", "1.00", origin="DE", currency="EUR"),  # error
        ],
    )
    text = json.dumps(shipment(good, importing="MM"))  # warning

    issues = review(load_shipments(text)[0], BUNDLED_ONLY)

    severities = [i.severity for i in issues]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert severities.count("error") == 2
    assert {i.code for i in issues if i.severity == "error"} == {"HS_MISSING", "CURRENCY_MISMATCH"}
    assert {"ORIGIN_UNKNOWN", "PARTY_CONTESTED"} <= {i.code for i in issues}


def test_review_of_a_clean_good_has_no_errors():
    good = make_good("8538.90", bom=[brass()])

    issues = review(load_shipments(json.dumps(shipment(good)))[0], BUNDLED_ONLY)

    assert [i for i in issues if i.severity == "error"] == []
