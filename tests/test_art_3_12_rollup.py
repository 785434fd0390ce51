"""Art 3.12: an in-house sub-assembly that meets the chapter's requirements on its own counts as
one originating material at its full value (roll-up); one that does not is transparent: its own
non-originating inputs count for the parent, both for RVC and for the change of classification.

A Chinese appliance maker (HS2022 8509.80, "CTSH or RVC40") machines its own gearbox (8509.90,
parts of 85.09: HS2022 rule "CTH or RVC40", a partly legible row) and buys a German base unit
of the mixer's own subheading, so CTSH fails at the top and the RVC decides.
"""

from builders import bought, codes, issue, made, make_good, proof, run

GEARBOX_PROCESSES = ("cnc_machining", "heat_treatment", "assembly")


def material(result, code):
    return next(m for m in result.as_dict()["materials"] if m["code"] == code)


def german_base(cost="30.00"):
    """Bought, non-originating, 8509.80: fails the mixer's CTSH."""
    return bought("8509.80", cost, origin="DE", code="BASE")


def test_an_in_house_gearbox_that_qualifies_counts_as_originating_at_its_full_value():
    gearbox = made(
        "8509.90",
        [bought("8483.40", "35.00", origin="DE", code="GEARS")],
        processes=GEARBOX_PROCESSES,
        code="GEARBOX",
        unit_cost="50.00",
    )
    good = make_good("8509.80", fob="100.00", bom=[gearbox, german_base("30.00")])

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # The gearbox on its own: CTH 84.83 -> 85.09 holds, so it is originating (its own RVC,
    # (50.00 - 35.00) / 50.00 = 30 %, does not matter).
    # Rolled up: VNM = BASE 30.00 only; (100.00 - 30.00) / 100.00 x 100 = 70.00 % -> RVC40.
    # Transparent it would be VNM 30.00 + 35.00 = 65.00 -> 35.00 %: the roll-up decides.
    assert material(result, "GEARBOX")["originating"] is True
    assert material(result, "GEARBOX")["value"] == "50.00"
    assert "Art 3.12" in material(result, "GEARBOX")["reason"]
    assert rvc["vnm"] == "30.00"
    assert rvc["vom"] == "50.00"
    assert rvc["build_down"] == "70.00"
    assert result.criterion == "RVC"
    assert result.satisfied == ("RVC",)  # CTSH fails on BASE: 30 % of FOB, beyond de minimis


def test_an_in_house_gearbox_that_fails_its_own_rule_passes_its_imported_parts_to_the_mixer():
    gearbox = made(
        "8509.90",
        [bought("8509.90", "35.00", origin="DE", code="GEAR-PARTS")],
        processes=GEARBOX_PROCESSES,
        code="GEARBOX",
        unit_cost="50.00",
    )
    good = make_good("8509.80", fob="100.00", bom=[gearbox, german_base("30.00")])

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # The gearbox on its own: CTH fails (85.09 -> 85.09, 35.00 / 50.00 = 70 % > 10 %) and
    # (50.00 - 35.00) / 50.00 x 100 = 30.00 % < 40 %: not originating, so transparent.
    # Mixer: VNM 35.00 + 30.00 = 65.00; (100.00 - 65.00) / 100.00 x 100 = 35.00 % < 40 %.
    assert material(result, "GEARBOX")["originating"] is False
    assert rvc["vnm"] == "65.00"
    assert rvc["build_down"] == "35.00"
    assert result.originating is False


def test_an_in_house_switch_without_a_loaded_rule_is_transparent_for_the_change_of_heading():
    # A switchgear part (HS2022 8538.90, HS2012 rule 85.38 "CTH or RVC40") with an in-house
    # micro switch (8536.50), for which no rule is loaded. Its German contacts are 8538.90.
    switch = made(
        "8536.50",
        [
            bought("8538.90", "20.00", origin="DE", code="CONTACTS"),
            bought(
                "3926.90",
                "5.00",
                origin="CN",
                code="SWITCH-HOUSING",
                with_proof=proof("SUPPLIER_DECLARATION", "SD-11"),
            ),
        ],
        processes=["stamping", "assembly"],
        code="SWITCH",
        unit_cost="40.00",
    )
    carrier = bought(
        "7407.21", "10.00", origin="CN", code="CARRIER", with_proof=proof("SUPPLIER_DECLARATION")
    )
    good = make_good("8538.90", fob="100.00", bom=[switch, carrier])

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # No rule for the switch: a warning at its path, not an error; it cannot qualify alone.
    not_found = issue(result, "PSR_NOT_FOUND")
    assert not_found.severity == "warning"
    assert not_found.path == "good.bom[0]"
    assert result.exit_code == 0
    # Transparent for CTC: CONTACTS 85.38 -> 85.38 fails CTH, 20.00 / 100.00 = 20 % > 10 %.
    # (Had the switch counted as one non-originating 85.36 material, CTH would have held.)
    assert material(result, "CONTACTS")["ctc"] == "fail"
    assert "CTC" not in result.satisfied
    # Transparent for RVC: only its non-originating input counts, VNM = 20.00 (not 40.00);
    # VOM = (40.00 - 20.00) + 10.00 = 30.00; (100.00 - 20.00) / 100.00 x 100 = 80.00 %.
    assert rvc["vnm"] == "20.00"
    assert rvc["vom"] == "30.00"
    assert rvc["build_down"] == "80.00"
    assert result.criterion == "RVC"


def test_a_gearbox_without_a_unit_cost_is_valued_at_its_materials_plus_its_own_costs():
    gearbox = made(
        "8509.90",
        [
            bought("8483.40", "12.00", origin="DE", qty=2, code="GEARS"),
            bought(
                "3926.90",
                "6.00",
                origin="CN",
                code="GEAR-HOUSING",
                with_proof=proof("SUPPLIER_DECLARATION", "SD-12"),
            ),
        ],
        processes=GEARBOX_PROCESSES,
        code="GEARBOX",
        direct_labour="8.00",
        direct_overhead="2.00",
    )
    good = make_good("8509.80", fob="100.00", bom=[gearbox, german_base("30.00")])

    result = run(good)

    # Gearbox value: 2 x 12.00 + 6.00 + 8.00 labour + 2.00 overhead = 40.00.
    # It qualifies (CTH 84.83 -> 85.09), so it rolls up: VNM 30.00 -> 70.00 %, VOM 40.00.
    assert material(result, "GEARBOX")["value"] == "40.00"
    assert material(result, "GEARBOX")["originating"] is True
    assert result.as_dict()["rvc"]["vom"] == "40.00"
    assert result.as_dict()["rvc"]["build_down"] == "70.00"


def test_quantities_multiply_through_the_levels_of_a_transparent_gearbox():
    gearbox = made(
        "8509.90",
        [bought("8509.90", "4.00", origin="DE", qty=2, code="GEAR-PARTS")],
        processes=GEARBOX_PROCESSES,
        qty=3,
        code="GEARBOX",
        unit_cost="10.00",
    )
    motor = bought("8501.40", "20.00", origin="DE", code="MOTOR")
    good = make_good("8509.80", fob="100.00", bom=[gearbox, motor])

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # One gearbox: GEAR-PARTS 2 x 4.00 = 8.00 of 10.00; CTH fails (85.09 -> 85.09, 80 %) and
    # (10.00 - 8.00) / 10.00 = 20 % < 40 %: transparent.
    # Mixer: 3 gearboxes x 8.00 = 24.00 + MOTOR 20.00 -> VNM 44.00;
    # (100.00 - 44.00) / 100.00 x 100 = 56.00 %.
    assert material(result, "GEARBOX")["value"] == "30.00"  # 3 x 10.00
    assert rvc["vnm"] == "44.00"
    assert rvc["build_down"] == "56.00"
    # GEAR-PARTS 8509.90 -> 8509.80 is a change of subheading: CTSH holds for the mixer.
    assert result.satisfied == ("CTC", "RVC")


def test_quantities_multiply_through_the_levels_of_a_qualifying_gearbox():
    gearbox = made(
        "8509.90",
        [bought("8483.40", "6.00", origin="DE", qty=2, code="GEARS")],
        processes=GEARBOX_PROCESSES,
        qty=3,
        code="GEARBOX",
        unit_cost="15.00",
    )
    good = make_good("8509.80", fob="100.00", bom=[gearbox, german_base("50.00")])

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # One gearbox qualifies (CTH 84.83 -> 85.09) and rolls up at 15.00; three: VOM 45.00.
    # VNM: BASE 50.00 only -> (100.00 - 50.00) / 100.00 x 100 = 50.00 %.
    # Transparent it would be 50.00 + 3 x 2 x 6.00 = 86.00 -> 14.00 %.
    assert rvc["vom"] == "45.00"
    assert rvc["vnm"] == "50.00"
    assert rvc["build_down"] == "50.00"
    assert result.criterion == "RVC"


def test_a_sub_assembly_made_by_cutting_alone_is_transparent_but_the_mixer_still_qualifies():
    shaft = made(
        "8483.10",
        [bought("7228.50", "6.00", origin="DE", code="STEEL-BAR")],
        processes=["cutting"],
        code="SHAFT",
        unit_cost="8.00",
    )
    motor = bought("8501.40", "30.00", origin="DE", code="MOTOR")
    good = make_good("8509.80", fob="100.00", bom=[shaft, motor])

    result = run(good)

    # Cutting a bar is minimal (Art 3.6(c)): the shaft cannot qualify on its own, and says so
    # at its own path; the mixer's own assembly is not minimal. VNM 6.00 + 30.00 = 36.00:
    # (100.00 - 36.00) / 100.00 x 100 = 64.00 %; CTSH holds (72.28 and 85.01 -> 85.09).
    minimal = issue(result, "PROCESS_MINIMAL")
    assert minimal.path == "good.bom[0]"
    assert material(result, "SHAFT")["originating"] is False
    assert result.as_dict()["rvc"]["vnm"] == "36.00"
    assert result.criterion == "CTC"
    assert result.originating is True
    assert "PSR_NOT_FOUND" in codes(result)  # no rule loaded for 8483.10 either: a warning
