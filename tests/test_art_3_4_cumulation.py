"""Art 3.4: materials originating in another Party count as originating in China (cumulation).

A Chinese maker of kitchen appliances (HS2022 8509.80, rule "CTSH or RVC40") buys parts from
Japan with RCEP certificates of origin. China Customs' ``ACU`` annotation is declared only when
the declared criterion (CTC or RVC) holds *only* thanks to those Japanese parts -- never for PE,
which covers them by definition, and never for a domestic supplier declaration. A certificate
from a country outside RCEP (Germany) makes nothing originating.
"""

from builders import bought, codes, issue, made, make_good, proof, run


def japanese(hs, cost, code):
    """A part from Japan with a valid RCEP certificate of origin."""
    return bought(hs, cost, origin="JP", code=code, with_proof=proof("RCEP_CO", "JP-2026-001"))


def material(result, code):
    return next(m for m in result.as_dict()["materials"] if m["code"] == code)


ORIGIN_WARNINGS = {"ORIGIN_UNKNOWN", "ORIGIN_PROOF_MISSING", "ORIGIN_PROOF_EXPIRED",
                   "ORIGIN_PROOF_INVALID"}  # fmt: skip


def test_a_japanese_base_unit_with_a_certificate_counts_as_originating_in_china():
    good = make_good(
        "8509.80",
        bom=[
            japanese("8509.80", "70.00", "BASE"),
            bought("8501.40", "10.00", origin="DE", code="MOTOR"),
        ],
    )

    result = run(good)
    base = material(result, "BASE")

    assert base["originating"] is True
    assert base["ctc"] == "n/a"  # originating materials need no change of classification
    assert "cumulation" in base["reason"] and "Art 3.4" in base["reason"]
    assert not codes(result) & ORIGIN_WARNINGS


def test_acu_is_declared_when_the_change_of_subheading_holds_only_thanks_to_the_japanese_base():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            japanese("8509.80", "70.00", "BASE"),
            bought("8501.40", "10.00", origin="DE", code="MOTOR"),
        ],
    )

    result = run(good)

    # With cumulation: only MOTOR is non-originating; 8501.40 -> 8509.80 passes CTSH;
    #   build-down (100.00 - 10.00) / 100.00 x 100 = 90.00 % also meets RVC40.
    # Without: BASE 8509.80 would fail CTSH with 70.00 / 100.00 = 70 % > 10 % (no de minimis),
    #   and build-down (100.00 - 80.00) / 100.00 x 100 = 20.00 % < 40 %: nothing would hold.
    assert result.satisfied == ("CTC", "RVC")
    assert result.criterion == "CTC"
    assert result.annotations == ("ACU",)
    assert result.as_dict()["annotations"] == ["ACU"]
    assert "holds only with them" in result.explanation


def test_acu_is_declared_when_rvc40_is_reached_only_with_the_japanese_motor():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            japanese("8501.40", "30.00", "MOTOR"),
            bought("8509.80", "35.00", origin="DE", code="BASE"),
        ],
    )

    result = run(good)

    # CTSH fails either way: BASE 8509.80, 35 % of FOB > 10 %.
    # With cumulation: (100.00 - 35.00) / 100.00 x 100 = 65.00 % -> RVC40 met.
    # Without: (100.00 - 65.00) / 100.00 x 100 = 35.00 % -> not met. So RVC needs ACU.
    assert result.satisfied == ("RVC",)
    assert result.criterion == "RVC"
    assert result.annotations == ("ACU",)
    assert result.as_dict()["rvc"]["build_down"] == "65.00"


def test_no_acu_when_the_mixer_would_change_subheading_even_without_the_japanese_motor():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            japanese("8501.40", "30.00", "MOTOR"),
            bought("3926.90", "10.00", origin="DE", code="HOUSING"),
        ],
    )

    result = run(good)

    # Even if MOTOR were non-originating, 8501.40 and 3926.90 both change subheading to
    # 8509.80, and (100.00 - 40.00) / 100.00 = 60.00 % would still meet RVC40.
    assert result.criterion == "CTC"
    assert material(result, "MOTOR")["originating"] is True
    assert result.annotations == ()
    assert "holds without them too" in result.explanation


def test_a_mixer_made_of_japanese_and_chinese_originating_parts_is_pe_without_acu():
    good = make_good(
        "8509.80",
        bom=[
            japanese("8509.80", "70.00", "BASE"),
            bought(
                "3926.90",
                "10.00",
                origin="CN",
                code="HOUSING",
                with_proof=proof("SUPPLIER_DECLARATION", "SD-1"),
            ),
        ],
    )

    result = run(good)

    # PE (Art 3.2(b)) means exclusively from materials originating in one or more Parties:
    # it covers the Japanese part by definition, so no ACU annotation goes with it.
    assert result.criterion == "PE"
    assert result.annotations == ()


def test_a_chinese_supplier_declaration_is_domestic_origin_not_cumulation():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            bought(
                "8509.80",
                "70.00",
                origin="CN",
                code="BASE",
                with_proof=proof("SUPPLIER_DECLARATION", "SD-ZJ-7"),
            ),
            bought("8501.40", "10.00", origin="DE", code="MOTOR"),
        ],
    )

    result = run(good)
    base = material(result, "BASE")

    # The declared CTC holds only because BASE is originating -- but in China, the exporting
    # Party itself: that is no cumulation from another Party, so no ACU.
    assert result.criterion == "CTC"
    assert result.annotations == ()
    assert base["originating"] is True
    assert "SD-ZJ-7" in base["reason"]
    assert "cumulation" not in base["reason"]


def test_a_german_base_unit_with_a_certificate_stays_non_originating():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            bought("8509.80", "70.00", origin="DE", code="BASE", with_proof=proof("RCEP_CO")),
            bought("8501.40", "10.00", origin="DE", code="MOTOR"),
        ],
    )

    result = run(good)

    # Germany is not an RCEP Party: its paper proves nothing under Art 3.4.
    # CTSH fails (BASE 70 % of FOB), build-down (100.00 - 80.00) / 100.00 = 20.00 % < 40 %.
    invalid = issue(result, "ORIGIN_PROOF_INVALID")
    assert invalid.severity == "warning"
    assert invalid.path == "good.bom[0]"
    assert "DE is not an RCEP Party" in invalid.message
    assert material(result, "BASE")["originating"] is False
    assert result.originating is False
    assert result.annotations == ()
    assert result.exit_code == 1


def test_a_japanese_base_unit_without_a_proof_is_reported_as_a_missed_cumulation():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            bought("8509.80", "70.00", origin="JP", code="BASE"),
            bought("8501.40", "10.00", origin="DE", code="MOTOR"),
        ],
    )

    result = run(good)

    missing = issue(result, "ORIGIN_PROOF_MISSING")
    assert missing.path == "good.bom[0]"
    assert "cumulation (Art 3.4) is missed" in missing.message
    assert material(result, "BASE")["originating"] is False
    assert result.originating is False  # the same arithmetic as without cumulation: 20.00 %


def test_a_philippine_certificate_does_not_cumulate_before_rcep_is_in_force_for_the_philippines():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            bought(
                "8509.80",
                "70.00",
                origin="PH",
                code="BASE",
                with_proof=proof("RCEP_CO", "PH-1", valid_until="2023-12-31"),
            ),
            bought("8501.40", "10.00", origin="DE", code="MOTOR"),
        ],
    )

    # RCEP entered into force for the Philippines on 2 June 2023.
    result = run(good, date="2023-03-01")

    invalid = issue(result, "ORIGIN_PROOF_INVALID")
    assert "not in force for Philippines" in invalid.message
    assert material(result, "BASE")["originating"] is False
    assert result.originating is False


def test_acu_is_declared_when_japanese_parts_make_an_in_house_gearbox_roll_up():
    gearbox = made(
        "8509.90",
        [japanese("8509.90", "35.00", "GEAR-PARTS")],
        processes=["cnc_machining", "assembly"],
        code="GEARBOX",
        unit_cost="50.00",
    )
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[gearbox, bought("8509.80", "30.00", origin="DE", code="BASE")],
    )

    result = run(good)

    # With cumulation the gearbox (rule of 8509.90: CTH or RVC40) is made of originating parts
    # only and rolls up at 50.00 (Art 3.12): VNM 30.00 -> (100.00 - 30.00) / 100.00 = 70.00 %.
    # Without it, GEAR-PARTS 85.09 -> 85.09 fails CTH (70 % of 50.00) and the gearbox's own
    # RVC is (50.00 - 35.00) / 50.00 = 30.00 %: transparent, so the mixer's VNM would be
    # 30.00 + 35.00 = 65.00 -> 35.00 %. The declared RVC holds only thanks to Japan: ACU.
    assert material(result, "GEARBOX")["originating"] is True
    assert result.as_dict()["rvc"]["build_down"] == "70.00"
    assert result.criterion == "RVC"
    assert result.annotations == ("ACU",)


def test_acu_and_dmi_are_declared_together_when_ctc_needs_both_japan_and_de_minimis():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            japanese("8509.80", "30.00", "BASE"),
            bought("8509.80", "8.00", origin="DE", code="SUBUNIT"),
            bought("8501.40", "30.00", origin="DE", code="MOTOR"),
        ],
    )

    result = run(good)

    # With cumulation: only SUBUNIT fails CTSH, 8.00 / 100.00 = 8 % <= 10 % -> CTC with DMI;
    #   build-down (100.00 - 38.00) / 100.00 x 100 = 62.00 % -> RVC40 met too.
    # Without: BASE and SUBUNIT fail, 38.00 / 100.00 = 38 % > 10 % -> no CTC; and
    #   (100.00 - 68.00) / 100.00 x 100 = 32.00 % -> no RVC. The declared CTC needs both.
    assert result.satisfied == ("CTC", "RVC")
    assert result.criterion == "CTC"
    assert result.annotations == ("ACU", "DMI")
