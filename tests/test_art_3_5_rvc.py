"""Art 3.5: regional value content, build-down and build-up, compared exactly.

A Chinese appliance maker (HS2022 8509.80, rule "CTSH or RVC40") builds its mixer on an
imported German base unit of the same subheading 8509.80, so the change of subheading fails and
only RVC40 can make the mixer originating. RVC40 means "no less than 40 %" (Annex 3A headnote
7(a)): 40.00 % holds, 39.99 % does not, and a failing 39.996 % is shown as "39.99", never "40.00".

    build-down  RVC = (FOB - VNM) / FOB x 100
    build-up    RVC = (VOM + labour + overhead + profit + other costs) / FOB x 100
"""

from builders import bought, codes, issue, make_good, proof, run


def imported_base(cost, qty=1):
    """A German base unit, 8509.80: non-originating and failing the change of subheading."""
    return bought("8509.80", cost, origin="DE", qty=qty, code="BASE")


def supplier_declared(hs, cost, code):
    return bought(hs, cost, origin="CN", code=code, with_proof=proof("SUPPLIER_DECLARATION"))


def test_a_build_down_of_exactly_40_percent_meets_rvc40():
    good = make_good("8509.80", fob="100.00", bom=[imported_base("60.00")])

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # build-down: (100.00 - 60.00) / 100.00 x 100 = 40.00 % -> "no less than 40": meets RVC40
    assert rvc["fob"] == "100.00"
    assert rvc["vnm"] == "60.00"
    assert rvc["build_down"] == "40.00"
    assert rvc["build_up"] is None  # no costs given: build-up cannot be computed
    assert result.originating is True
    assert result.criterion == "RVC"
    assert result.satisfied == ("RVC",)
    assert "RVC40: met" in result.explanation


def test_a_build_down_of_39_99_percent_misses_rvc40():
    good = make_good("8509.80", fob="100.00", bom=[imported_base("60.01")])

    result = run(good)

    # build-down: (100.00 - 60.01) / 100.00 x 100 = 39.99 % < 40 % -> not met
    assert result.as_dict()["rvc"]["build_down"] == "39.99"
    assert result.originating is False
    assert result.satisfied == ()
    assert result.exit_code == 1
    assert "RVC40: not met" in result.explanation


def test_a_build_down_of_39_996_percent_is_shown_as_39_99_and_fails():
    good = make_good("8509.80", fob="250.00", bom=[imported_base("150.01")])

    result = run(good)

    # build-down: (250.00 - 150.01) / 250.00 x 100 = 99.99 / 2.5 = 39.996 % exactly.
    # Rounded half-up it would read "40.00" although it fails; shown toward zero: "39.99".
    assert result.as_dict()["rvc"]["build_down"] == "39.99"
    assert result.originating is False
    assert "= 39.99 %" in result.explanation
    assert "= 40.00 %" not in result.explanation


def test_the_build_up_method_reaches_rvc40_when_build_down_does_not():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[imported_base("62.00"), supplier_declared("3926.90", "15.00", "HOUSING")],
        direct_labour="12.00",
        direct_overhead="8.00",
        profit="3.00",
        other_costs="2.00",
    )

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # build-down: (100.00 - 62.00) / 100.00 x 100 = 38.00 % -> not met
    # build-up:   (15.00 + 12.00 + 8.00 + 3.00 + 2.00) / 100.00 x 100 = 40.00 % -> met
    # Art 3.5.1 offers both methods; either one is enough.
    assert rvc["build_down"] == "38.00"
    assert rvc["vom"] == "15.00"
    assert rvc["build_up"] == "40.00"
    assert result.criterion == "RVC"
    assert result.originating is True


def test_a_build_up_of_39_99_percent_fails_like_the_build_down():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[imported_base("62.00"), supplier_declared("3926.90", "15.00", "HOUSING")],
        direct_labour="12.00",
        direct_overhead="8.00",
        profit="2.99",
        other_costs="2.00",
    )

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # build-down: (100.00 - 62.00) / 100.00 x 100 = 38.00 %
    # build-up:   (15.00 + 12.00 + 8.00 + 2.99 + 2.00) / 100.00 x 100 = 39.99 %
    assert rvc["build_down"] == "38.00"
    assert rvc["build_up"] == "39.99"
    assert result.originating is False
    assert result.satisfied == ()


def test_the_build_down_method_still_counts_when_the_build_up_falls_short():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[imported_base("55.00"), supplier_declared("3926.90", "5.00", "HOUSING")],
        direct_labour="10.00",
        direct_overhead="5.00",
    )

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # build-down: (100.00 - 55.00) / 100.00 x 100 = 45.00 % -> met
    # build-up:   (5.00 + 10.00 + 5.00 + 0 + 0) / 100.00 x 100 = 20.00 % -> not met
    assert rvc["build_down"] == "45.00"
    assert rvc["build_up"] == "20.00"
    assert result.criterion == "RVC"


def test_quantities_multiply_the_unit_cost_in_the_vnm():
    good = make_good("8509.80", fob="100.00", bom=[imported_base("12.50", qty=4)])

    result = run(good)

    # VNM: 4 x 12.50 = 50.00; build-down (100.00 - 50.00) / 100.00 x 100 = 50.00 %
    assert result.as_dict()["rvc"]["vnm"] == "50.00"
    assert result.as_dict()["rvc"]["build_down"] == "50.00"
    assert result.criterion == "RVC"


def test_materials_worth_more_than_the_fob_give_a_negative_rvc_and_a_warning():
    good = make_good("8509.80", fob="100.00", bom=[imported_base("60.00", qty=2)])

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # VNM: 2 x 60.00 = 120.00; build-down (100.00 - 120.00) / 100.00 x 100 = -20.00 %
    assert rvc["vnm"] == "120.00"
    assert rvc["build_down"] == "-20.00"
    assert result.originating is False
    exceeds = issue(result, "BOM_VALUE_EXCEEDS_FOB")
    assert exceeds.severity == "warning"
    assert exceeds.path == "good"
    assert "120.00" in exceeds.message
    assert result.exit_code == 1  # a warning, not an error: the good is still evaluated


def test_rvc_is_computed_on_the_fob_value_derived_from_a_cif_invoice():
    good = make_good("8509.80", bom=[imported_base("60.00")])
    del good["fob"]
    good.update(incoterm="CIF", invoice_value="110.00", freight="8.00", insurance="2.00")

    result = run(good)

    # Art 3.1(e): FOB = 110.00 - 8.00 freight - 2.00 insurance = 100.00;
    # build-down (100.00 - 60.00) / 100.00 x 100 = 40.00 % -> met. On the CIF value 110.00 it
    # would have read (110.00 - 60.00) / 110.00 = 45.45 %.
    assert "FOB_UNDETERMINED" not in codes(result)
    assert result.as_dict()["rvc"]["fob"] == "100.00"
    assert result.as_dict()["rvc"]["build_down"] == "40.00"
    assert result.criterion == "RVC"
