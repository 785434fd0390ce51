"""Corner cases a customs officer would check, found in review (one story each)."""

from decimal import Decimal

import pytest
from builders import bought, codes, issue, made, make_good, proof, run

from rcep_rules import Reference

HEADER = "hs_version,level,code,description,psr,legibility,source_url,locator\n"


@pytest.fixture
def rules(tmp_path):
    """A reference with one extra rule row written for the test."""

    def load(code: str, text: str, level: str = "subheading"):
        path = tmp_path / "rules.csv"
        path.write_text(HEADER + f"HS2022,{level},{code},test row,{text},clear,test,test\n")
        return Reference.load(rule_files=(path,))

    return load


def test_a_rule_with_an_or_inside_an_and_is_met_through_either_alternative(rules):
    # "CTSH and (RVC40 or CR)": the IC changes subheading and RVC is (100 - 30) / 100 = 70 %.
    good = make_good("8504.40", bom=[bought("8542.31", "30.00", origin="US")])
    result = run(good, rules("8504.40", "CTSH and (RVC40 or CR)"))
    assert result.originating is True and result.criterion == "RVC"


def test_with_two_change_rules_a_material_passing_the_one_that_holds_is_shown_passing(rules):
    # "CC or CTSH": the core 8504.90 fails CC (same chapter 85) but passes CTSH (8504.40).
    good = make_good("8504.40", bom=[bought("8504.90", "30.00", origin="US", code="CORE")])
    result = run(good, rules("8504.40", "CC or CTSH"))
    assert result.criterion == "CTC"
    (core,) = result.as_dict()["materials"]
    assert core["ctc"] == "pass"
    assert "CORE 8504.90 (30.00) fails it." in result.explanation  # under CC only
    assert "CTSH holds: no non-originating material fails it." in result.explanation


def test_retail_packing_made_in_house_is_disregarded_for_pe_like_bought_packing():
    # Art 3.8.2: the gift box (non-originating board inside) does not stop PE, and its
    # minimal processes are not the good's processes.
    box = made(
        "4819.20",
        [bought("4810.92", "2.00", origin="US")],
        processes=("cutting",),
        role="packing",
        code="GIFTBOX",
    )
    amplifier = bought("8518.40", "50.00", origin="CN", with_proof=proof("SUPPLIER_DECLARATION"))
    result = run(make_good("8518.50", bom=[amplifier, box], processes=("packaging",)))
    assert result.criterion == "PE"
    board = next(m for m in result.as_dict()["materials"] if m["hs_code"] == "4810.92")
    assert board["ctc"] == "n/a" or board["ctc"] == "ignored"


def test_an_in_house_jig_is_an_indirect_material_and_counts_as_originating():
    # Art 3.10: the jig's imported steel is not a material of the good. RVC:
    # (100 - 50) / 100 = 50 % >= 40 % (the jig's value counts as originating).
    jig = made(
        "8207.30",
        [bought("7224.90", "1500.00", origin="US")],
        qty="0.01",
        role="indirect",
        code="JIG",
    )
    same = bought("8518.40", "50.00", origin="US", code="SAME")
    result = run(make_good("8518.40", bom=[same, jig]))
    assert result.criterion == "RVC"
    assert result.as_dict()["rvc"]["vnm"] == "50.00"
    assert next(m for m in result.as_dict()["materials"] if m["code"] == "JIG")["originating"]


def test_a_material_coded_in_hs2022_is_compared_with_an_hs2012_good_in_hs2012():
    # HS2022 8517.13 correlates to HS2012 8517.12: no change of subheading for an HS2012
    # 8517.12 good; 50 % of FOB fails CTSH, and only RVC (50 %) holds.
    good = make_good(
        "8517.12", hs_version="HS2012", bom=[bought("8517.13", "50.00", origin="US", code="MOD")]
    )
    result = run(good)
    assert result.criterion == "RVC"
    assert "8517.12" in issue(result, "HS_INCONSISTENT").message


def test_a_wholly_obtained_claim_needs_wholly_obtained_materials():
    # Art 3.3(j): an originating but manufactured IC rules WO out; the good is PE.
    ic = bought("8542.31", "50.00", origin="CN", with_proof=proof("SUPPLIER_DECLARATION"))
    result = run(make_good("8518.40", bom=[ic], wholly_obtained=True))
    assert result.criterion == "PE" and "WO" not in result.satisfied


def test_wholly_obtained_materials_of_the_exporting_party_keep_the_good_wholly_obtained():
    scrap = bought(
        "7404.00",
        "20.00",
        origin="CN",
        wholly_obtained=True,
        with_proof=proof("SUPPLIER_DECLARATION"),
    )
    result = run(make_good("7404.00", bom=[scrap], wholly_obtained=True, processes=("sorting",)))
    assert result.criterion == "WO"


def test_the_cumulation_sentence_speaks_of_pe_when_the_good_is_pe():
    module = bought("8518.40", "50.00", origin="JP", with_proof=True, code="JPMOD")
    result = run(make_good("8518.40", bom=[module], processes=("assembly",)))
    assert result.criterion == "PE" and result.annotations == ()
    assert "so the good is PE (ACU is not used with PE)" in result.explanation


def test_the_cumulation_sentence_claims_no_criterion_for_a_good_that_is_not_originating():
    chip = bought("8542.31", "10.00", origin="JP", with_proof=True, code="JPIC")
    same = bought("8518.40", "70.00", origin="US")
    result = run(make_good("8518.40", bom=[chip, same]))
    assert result.originating is False
    line = next(x for x in result.explanation.splitlines() if x.startswith("Cumulation"))
    assert line == "Cumulation (Art 3.4): JPIC (JP) count as originating."


def test_a_failing_de_minimis_share_is_never_shown_as_ten_percent():
    # 100.09 / 1000.00 = 10.009 %: above 10 %, shown rounded up as 10.01.
    same = bought("8518.40", "100.09", origin="US")
    big = bought("8542.31", "550.00", origin="US")
    result = run(make_good("8518.40", fob="1000.00", bom=[same, big]))
    assert "Failing materials 100.09 = 10.01 % of FOB 1000.00: more than" in result.explanation


def test_de_minimis_by_weight_is_explained_by_weight(rules):
    # Art 3.7(b): the label fails CTH and is 30 % of FOB but 0.010 / 0.200 = 5 % of the weight.
    fabric = bought("6006.21", "2.00", origin="US", weight="0.190")
    label = bought("6109.10", "3.00", origin="US", weight="0.010")
    good = make_good("6109.10", fob="10.00", bom=[fabric, label], weight="0.200")
    result = run(good, rules("61", "CTH", level="chapter"))
    assert result.criterion == "CTC" and result.annotations == ("DMI",)
    assert "By weight: 0.010 of 0.200 = 5.00 %: within" in result.explanation


def test_a_failing_material_in_a_transparent_sub_assembly_shows_what_it_counts_for_the_good():
    part = bought("8518.40", "5.00", origin="US", code="PART")
    other = bought("8518.90", "5.00", origin="US")
    sub = made("8518.90", [part, other], qty=3, processes=("cutting",))
    result = run(make_good("8518.40", bom=[sub]))
    assert "PART 8518.40 (5.00, counting 15.00 for the good) fails it." in result.explanation


def test_the_explanation_judges_rvc_with_the_same_exact_arithmetic_as_the_verdict():
    fob = Decimal("99999999999999.999999999")
    a = bought("8518.40", str(fob), origin="US", qty="0.6", code="A")
    b = bought("8518.40", "0.000000001", origin="US", qty="0.000000001", code="B")
    result = run(make_good("8518.40", fob=str(fob), bom=[a, b]))
    assert result.originating is False
    assert "RVC40: not met" in result.explanation


@pytest.mark.parametrize(
    ("incoterm", "amounts", "fob"),
    [
        ("EXW", {"costs_to_port": "6.00"}, "96.00"),  # transport to the port is in FOB
        ("CFR", {"freight": "5.00", "insurance": "1.00"}, "85.00"),  # no insurance in CFR
        (
            "DDP",
            {"freight": "5.00", "insurance": "1.00", "import_duties_and_taxes": "4.00"},
            "80.00",
        ),
    ],
)
def test_the_fob_value_is_derived_from_other_incoterms_as_art_3_1e_defines_it(
    incoterm, amounts, fob
):
    good = make_good("8518.40", bom=[bought("8542.31", "30.00", origin="US")])
    del good["fob"]
    good.update(incoterm=incoterm, invoice_value="90.00", **amounts)
    assert run(good).as_dict()["rvc"]["fob"] == fob


def test_a_ddp_price_without_the_import_duties_leaves_the_fob_undetermined():
    good = make_good("8518.40", bom=[bought("8542.31", "30.00", origin="US")])
    del good["fob"]
    good.update(incoterm="DDP", invoice_value="100.00", freight="5.00", insurance="1.00")
    result = run(good)
    assert "import_duties_and_taxes" in issue(result, "FOB_UNDETERMINED").message


def test_a_supplier_declaration_from_another_party_proves_nothing():
    jp = bought("8542.31", "30.00", origin="JP", with_proof=proof("SUPPLIER_DECLARATION"))
    result = run(make_good("8518.40", bom=[jp]))
    assert "RCEP certificate or declaration" in issue(result, "ORIGIN_PROOF_INVALID").message
    assert result.as_dict()["materials"][0]["originating"] is False


def test_shipping_to_the_exporting_party_itself_is_refused():
    result = run(
        make_good("8538.90", bom=[bought("7407.21", "30.00", origin="DE")]), importing="CN"
    )
    assert result.exit_code == 2 and "INPUT_INVALID" in codes(result)


def test_a_transparent_sub_assembly_says_why_it_does_not_qualify():
    sub = made("8504.40", [bought("8542.31", "10.00", origin="US")], code="PSU")
    result = run(make_good("8518.40", bom=[sub]))
    psu = next(m for m in result.as_dict()["materials"] if m["code"] == "PSU")
    assert "no rule is loaded for 8504.40" in psu["reason"]
