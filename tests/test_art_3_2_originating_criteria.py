"""Art 3.2: a good is originating when it is wholly obtained (WO, Art 3.3), produced exclusively
from originating materials (PE, Art 3.2(b)), or satisfies its Annex 3A rule (CTC or RVC).

A Chinese appliance maker ships a kitchen appliance, HS2022 8509.80, to Viet Nam. Its rule is
read from the HS2022 transposition itself: "CTSH or RVC40" (no PSR_TRANSPOSED). A mine ships
iron ore. Each learns which criterion to declare: when several hold, the declared one follows
WO > PE > CTC > RVC, and ``satisfied`` lists every criterion that holds.
"""

from builders import bought, codes, issue, make_good, proof, run


def supplier_declared(hs, cost, code):
    """A part bought from a Chinese supplier who gave a supplier declaration (valid)."""
    return bought(hs, cost, origin="CN", code=code, with_proof=proof("SUPPLIER_DECLARATION"))


def material(result, code):
    return next(m for m in result.as_dict()["materials"] if m["code"] == code)


def test_iron_ore_mined_in_china_is_declared_wholly_obtained_without_any_bill_of_materials():
    ore = make_good("2601.11", fob="500.00", bom=(), processes=["sorting"], wholly_obtained=True)

    result = run(ore)

    assert result.originating is True
    assert result.criterion == "WO"
    assert result.satisfied == ("WO",)
    assert result.annotations == ()
    assert result.exit_code == 0
    # No rule is loaded for chapter 26, but a wholly obtained good needs none: a warning only.
    assert issue(result, "PSR_NOT_FOUND").severity == "warning"
    assert result.errors == ()
    # Sorting is a minimal operation (Art 3.6(c)), but there is no non-originating material.
    assert "PROCESS_MINIMAL" not in codes(result)
    assert "Wholly obtained or produced in the exporting Party (Art 3.3)" in result.explanation


def test_a_mixer_made_only_from_originating_chinese_parts_is_declared_pe_though_ctc_and_rvc_hold():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            supplier_declared("8501.40", "30.00", "MOTOR"),
            supplier_declared("3926.90", "10.00", "HOUSING"),
        ],
    )

    result = run(good)

    # No non-originating material at all: CTSH holds vacuously and
    # build-down (100.00 - 0.00) / 100.00 x 100 = 100.00 % -> RVC40 holds too.
    assert result.satisfied == ("PE", "CTC", "RVC")
    assert result.criterion == "PE"  # PE is preferred over CTC and RVC
    assert result.annotations == ()
    assert result.as_dict()["rvc"]["build_down"] == "100.00"
    assert "PSR_TRANSPOSED" not in codes(result)
    assert "Produced exclusively from originating materials (Art 3.2(b))" in result.explanation


def test_a_mixer_with_an_imported_german_motor_changes_subheading_and_is_declared_ctc():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            bought("8501.40", "45.00", origin="DE", code="MOTOR"),
            supplier_declared("3926.90", "10.00", "HOUSING"),
        ],
    )

    result = run(good)
    out = result.as_dict()

    # CTSH: motor 8501.40 -> mixer 8509.80 is a change of subheading.
    # build-down: (100.00 - 45.00) / 100.00 x 100 = 55.00 % -> meets RVC40 as well.
    assert result.originating is True
    assert result.satisfied == ("CTC", "RVC")
    assert result.criterion == "CTC"  # CTC is preferred over RVC
    assert out["criterion"] == "CTC" and out["satisfied"] == ["CTC", "RVC"]
    assert out["rvc"]["build_down"] == "55.00"
    assert material(result, "MOTOR")["originating"] is False
    assert material(result, "MOTOR")["ctc"] == "pass"
    assert result.exit_code == 0


def test_a_mixer_built_on_an_imported_base_unit_of_its_own_subheading_qualifies_only_by_rvc():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            bought("8509.80", "35.00", origin="DE", code="BASE"),
            bought("8501.40", "20.00", origin="DE", code="MOTOR"),
        ],
    )

    result = run(good)

    # CTSH fails: BASE 8509.80 stays in 8509.80, 35.00 / 100.00 = 35 % > 10 % (no de minimis).
    # build-down: (100.00 - 55.00) / 100.00 x 100 = 45.00 % -> meets RVC40.
    assert result.satisfied == ("RVC",)
    assert result.criterion == "RVC"
    assert result.annotations == ()
    assert material(result, "BASE")["ctc"] == "fail"
    assert material(result, "MOTOR")["ctc"] == "pass"
    assert result.as_dict()["rvc"]["build_down"] == "45.00"


def test_a_mixer_that_meets_neither_ctsh_nor_rvc40_is_not_originating():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            bought("8509.80", "50.00", origin="DE", code="BASE"),
            bought("8501.40", "15.00", origin="DE", code="MOTOR"),
        ],
    )

    result = run(good)

    # CTSH fails: 50.00 / 100.00 = 50 % of the FOB fails it, far above 10 %.
    # build-down: (100.00 - 65.00) / 100.00 x 100 = 35.00 % < 40 %.
    assert result.originating is False
    assert result.criterion is None
    assert result.satisfied == ()
    assert result.exit_code == 1
    assert "Verdict: NOT ORIGINATING." in result.explanation


def test_a_mixer_flagged_wholly_obtained_but_using_a_german_motor_is_not_wo():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[bought("8501.40", "45.00", origin="DE", code="MOTOR")],
        wholly_obtained=True,
    )

    result = run(good)

    # Art 3.3: a good containing a non-originating material is not wholly obtained; it can
    # still qualify under its rule: CTSH 8501.40 -> 8509.80, and (100 - 45) / 100 = 55 %.
    assert "WO" not in result.satisfied
    assert "PE" not in result.satisfied
    assert result.satisfied == ("CTC", "RVC")
    assert result.criterion == "CTC"


def test_one_part_of_unknown_origin_rules_out_pe_and_leaves_the_mixer_to_its_rule():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            supplier_declared("3926.90", "10.00", "HOUSING"),
            bought("8501.40", "30.00", code="MOTOR"),  # the buyer never asked where it came from
        ],
    )

    result = run(good)

    # Art 3.5.4: a material of undetermined origin is non-originating, so PE is impossible;
    # CTSH holds (8501.40 -> 8509.80) and (100.00 - 30.00) / 100.00 = 70.00 % meets RVC40.
    assert "ORIGIN_UNKNOWN" in codes(result)
    assert issue(result, "ORIGIN_UNKNOWN").path == "good.bom[1]"
    assert material(result, "MOTOR")["originating"] is False
    assert result.satisfied == ("CTC", "RVC")
    assert result.criterion == "CTC"
