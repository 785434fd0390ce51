"""The facts the explanation is worded from, as plain data: a caller that words the verdict
itself (the Odoo evaluation form, in the user's language) reads the same rule, failing
materials and RVC arithmetic as the command line's text, never by parsing that text."""

from rcep_rules import evaluate, load_shipments
from rcep_rules.datafiles import data_path
from rcep_rules.explain import evaluation_dict, rule_and_rvc


def _facts(name):
    return evaluation_dict(evaluate(load_shipments(data_path("samples", name).read_bytes())[0]))


def test_the_cordless_phone_fails_the_change_of_subheading_and_rvc40_with_its_figures():
    facts = _facts("07_cordless_phone_expired_proof.json")
    # HANDSET-D2 8517.11 (18.00) is in the good's own subheading: 18.00 / 40.00 = 45 % > 10 %.
    assert facts["ctc"] == [
        {
            "kind": "CTSH",
            "own": "8517.11",
            "excluded": None,
            "strict": False,
            "failing": [
                {
                    "path": "good.bom[0]",
                    "code": "HANDSET-D2",
                    "hs_code": "8517.11",
                    "value": "18.00",
                    "counted": "18.00",
                }
            ],
            "failing_value": "18.00",
            "share": "45.00",
            "within": False,
            "by_weight": None,
            "de_minimis": False,
            "holds": False,
        }
    ]
    # (40.00 - 25.50) / 40.00 x 100 = 36.25 % < 40 %
    assert facts["rvc"] == {
        "fob": "40.00",
        "vnm": "25.50",
        "vom": "6.00",
        "build_down": "36.25",
        "build_up": None,
    }
    assert facts["rvc_test"] == {"costs": None, "thresholds": ["40"], "met": False}
    assert facts["cumulated"] == [{"path": "good.bom[5]", "code": "NIMH-PACK", "country": "JP"}]
    assert facts["minimal"] is False


def test_minimal_operations_stop_the_rule_so_neither_ctc_nor_rvc_is_tried():
    facts = _facts("06_busbar_parts_minimal_operations.json")
    assert facts["minimal"] is True
    assert facts["processes"] == ["cutting", "marking", "packaging"]
    assert facts["ctc"] == []
    assert facts["rvc_test"] == {"costs": None, "thresholds": [], "met": None}


def test_the_de_minimis_good_holds_its_ctc_term_only_thanks_to_it():
    term = _facts("03_audio_amplifier_dmi.json")["ctc"][0]
    assert (term["share"], term["within"], term["de_minimis"], term["holds"]) == (
        "9.42",
        True,
        True,
        True,
    )


def test_a_good_stopped_by_review_errors_has_no_test_facts():
    facts = _facts("10_cnc_spindle_housing_psr_not_found.json")
    assert (facts["rvc"], facts["rvc_test"], facts["ctc"]) == (None, None, [])


def test_each_material_says_why_as_facts_too():
    materials = {m["code"]: m for m in _facts("07_cordless_phone_expired_proof.json")["materials"]}
    handset, pack = materials["HANDSET-D2"], materials["NIMH-PACK"]
    assert (handset["why"], handset["proof"]) == (
        "proof_expired",
        {"type": "RCEP_CO", "reference": "KR-RCEP-2025-80311", "valid_through": "2026-09-01"},
    )
    assert (pack["why"], pack["origin_country"]) == ("cumulation", "JP")
    assert (materials["DECT-SOC"]["why"], materials["DECT-SOC"]["proof"]) == ("non_party", None)


def test_the_rule_and_the_rvc_figures_alone_are_those_of_the_full_facts():
    """What Odoo keeps at an order's confirmation for a good that qualifies: the rule and the
    RVC figures, read without the walk over every BOM line the full facts make."""
    for name in ("01_switchgear_contact_carrier_ctc.json", "07_cordless_phone_expired_proof.json"):
        evaluation = evaluate(load_shipments(data_path("samples", name).read_bytes())[0])
        rule, rvc = rule_and_rvc(evaluation)
        assert "materials" not in evaluation.__dict__  # the lines were not walked for them
        facts = evaluation_dict(evaluation)
        assert (rule, rvc) == (facts["rule"], facts["rvc"])
        assert rule["text"] and rvc["fob"]
