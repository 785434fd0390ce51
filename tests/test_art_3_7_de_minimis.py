"""Art 3.7: de minimis -- a good that fails the change in tariff classification is still
originating if the non-originating materials that fail it are worth no more than 10 % of its
FOB value. It helps CTC only; those materials still count in the VNM (Art 3.7.2).

A Chinese appliance maker (HS2022 8509.80, rule "CTSH or RVC40") uses an imported German motor
(8501.40, which changes subheading) and a small German sub-unit of its own subheading 8509.80
(which does not). The German motor keeps the RVC below 40 %, so only CTC can confer origin.
"""

import pytest
from builders import bought, make_good, proof, run

from rcep_rules import Reference


def material(result, code):
    return next(m for m in result.as_dict()["materials"] if m["code"] == code)


def motor(cost="55.00"):
    """Non-originating, and 8501.40 -> 8509.80 passes CTSH."""
    return bought("8501.40", cost, origin="DE", code="MOTOR")


def same_subheading(cost, code="SUBUNIT"):
    """Non-originating, and 8509.80 -> 8509.80 fails CTSH."""
    return bought("8509.80", cost, origin="DE", code=code)


def test_a_failing_sub_unit_worth_exactly_10_percent_of_fob_passes_with_dmi():
    good = make_good("8509.80", fob="100.00", bom=[motor("55.00"), same_subheading("10.00")])

    result = run(good)

    # de minimis: 10.00 / 100.00 x 100 = 10.00 % -> "not more than 10 %": CTC holds with DMI.
    # build-down: (100.00 - 65.00) / 100.00 x 100 = 35.00 % -> RVC40 not met.
    assert result.originating is True
    assert result.criterion == "CTC"
    assert result.satisfied == ("CTC",)
    assert result.annotations == ("DMI",)
    assert result.exit_code == 0
    assert material(result, "SUBUNIT")["ctc"] == "fail"
    assert material(result, "MOTOR")["ctc"] == "pass"
    assert "10.00 % of FOB 100.00" in result.explanation
    assert "within the de minimis" in result.explanation


def test_a_failing_sub_unit_worth_10_01_percent_of_fob_is_beyond_de_minimis():
    good = make_good("8509.80", fob="100.00", bom=[motor("55.00"), same_subheading("10.01")])

    result = run(good)

    # de minimis: 10.01 / 100.00 x 100 = 10.01 % > 10 % -> CTC fails.
    # build-down: (100.00 - 65.01) / 100.00 x 100 = 34.99 % -> RVC40 not met either.
    assert result.originating is False
    assert result.satisfied == ()
    assert result.annotations == ()
    assert result.exit_code == 1
    assert "more than the de minimis of 10 %" in result.explanation


@pytest.mark.parametrize(
    ("second", "satisfied", "annotations"),
    [
        ("4.00", ("CTC",), ("DMI",)),  # 6.00 + 4.00 = 10.00 -> 10.00 % of 100.00: within
        ("4.01", (), ()),  # 6.00 + 4.01 = 10.01 -> 10.01 % of 100.00: beyond
    ],
)
def test_the_failing_materials_are_added_up_for_de_minimis(second, satisfied, annotations):
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[motor("55.00"), same_subheading("6.00", "SUBUNIT-A"), same_subheading(second, "B")],
    )

    result = run(good)

    # build-down: (100.00 - 65.00) / 100.00 = 35.00 % or (100.00 - 65.01) / 100.00 = 34.99 %:
    # RVC40 fails both times, so only the sum of the two failing sub-units decides.
    assert result.satisfied == satisfied
    assert result.annotations == annotations
    assert result.originating is bool(satisfied)


def test_no_dmi_when_every_non_originating_material_changes_subheading():
    housing = bought("3926.90", "10.00", origin="DE", code="HOUSING")
    good = make_good("8509.80", fob="100.00", bom=[motor("55.00"), housing])

    result = run(good)

    # CTSH holds strictly: 8501.40 and 3926.90 both change subheading to 8509.80.
    assert result.criterion == "CTC"
    assert result.annotations == ()
    assert "de minimis" not in result.explanation


def test_an_originating_part_of_the_same_subheading_needs_no_de_minimis():
    chinese_subunit = bought(
        "8509.80",
        "30.00",
        origin="CN",
        code="SUBUNIT",
        with_proof=proof("SUPPLIER_DECLARATION", "SD-3"),
    )
    good = make_good("8509.80", fob="100.00", bom=[motor("40.00"), chinese_subunit])

    result = run(good)

    # CTC applies to non-originating materials only (Annex 3A headnotes 5-6): the originating
    # 8509.80 sub-unit (30 % of FOB) is not tested, so CTSH holds without de minimis.
    assert result.criterion == "CTC"
    assert result.annotations == ()
    assert material(result, "SUBUNIT")["ctc"] == "n/a"


def test_a_failing_material_forgiven_for_ctc_still_counts_in_the_vnm():
    good = make_good("8509.80", fob="100.00", bom=[motor("55.00"), same_subheading("8.00")])

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # de minimis: 8.00 / 100.00 = 8 % -> CTC holds with DMI.
    # Art 3.7.2: VNM = 55.00 + 8.00 = 63.00; build-down (100.00 - 63.00) / 100.00 = 37.00 %.
    # Leaving the 8.00 out would give (100.00 - 55.00) / 100.00 = 45.00 % and a false RVC.
    assert rvc["vnm"] == "63.00"
    assert rvc["build_down"] == "37.00"
    assert result.satisfied == ("CTC",)
    assert result.annotations == ("DMI",)


def oven_rule(tmp_path, text):
    """A rule file the exporter loads for an oven, 8516.60 (fictional rule text, for tests)."""
    rules = tmp_path / "psr_user.csv"
    rules.write_text(
        "hs_version,level,code,description,psr,legibility,source_url,locator\n"
        f"HS2022,subheading,8516.60,Other ovens,{text},clear,test:fictional,test\n",
        encoding="utf-8",
    )
    return Reference.load((rules,))


def test_de_minimis_never_rescues_a_pure_rvc_rule(tmp_path):
    oven = make_good(
        "8516.60",
        fob="100.00",
        bom=[
            bought("8501.40", "55.00", origin="DE", code="MOTOR"),
            bought("8516.90", "6.00", origin="DE", code="PARTS"),
        ],
    )

    result = run(oven, oven_rule(tmp_path, "RVC40"))

    # build-down: (100.00 - 61.00) / 100.00 x 100 = 39.00 % < 40 %. PARTS is only 6 % of FOB,
    # but de minimis is a CTC concession (Art 3.7): it cannot take PARTS out of the VNM.
    assert result.as_dict()["rule"]["text"] == "RVC40"
    assert result.as_dict()["rvc"]["build_down"] == "39.00"
    assert result.originating is False
    assert result.annotations == ()


def test_de_minimis_meets_the_ctsh_part_of_a_ctsh_and_rvc40_rule(tmp_path):
    oven = make_good(
        "8516.60",
        fob="100.00",
        bom=[
            bought("8501.40", "40.00", origin="DE", code="MOTOR"),
            bought("8516.60", "8.00", origin="DE", code="SUBUNIT"),
        ],
    )

    result = run(oven, oven_rule(tmp_path, "CTSH and RVC40"))

    # CTSH: SUBUNIT 8516.60 -> 8516.60 fails, but 8.00 / 100.00 = 8 % <= 10 %: Art 3.7(a)
    # says a good that fails "a change in tariff classification requirement" is still
    # originating -- whatever else the rule requires, provided that is met too.
    # RVC40: (100.00 - 48.00) / 100.00 x 100 = 52.00 % -> met. Both parts of the rule hold.
    assert result.as_dict()["rvc"]["build_down"] == "52.00"
    assert result.originating is True
    assert result.satisfied != ()
    assert result.exit_code == 0
