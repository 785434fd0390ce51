"""Art 3.8.1: packing and containers used for transport are disregarded.

The switchgear contact carriers (HS2022 8538.90, "CTH or RVC40") travel on a wooden pallet
(4415.20) bought from a non-Party and shrink-wrapped in film (3920.10) of unknown origin. The
pallet is not a material: it counts for no test, neither as non-originating value nor as a
change of heading, and asks for no origin proof. Retail packing stays ``packing`` (Art 3.8.2-3).
"""

from builders import bought, codes, make_good, run


def pallet(cost="25.00"):
    return bought("4415.20", cost, origin="US", code="PALLET", role="transport_packing")


def film():
    return {"code": "STRETCH-FILM", "quantity": 1, "role": "transport_packing"}  # no cost, no HS


def brass(cost="55.00"):
    return bought("7407.21", cost, origin="DE", code="BRASS")


def test_a_pallet_is_disregarded_for_rvc_and_ctc_and_asks_for_no_proof():
    good = make_good("8538.90", fob="100.00", bom=[brass(), pallet(), film()])

    result = run(good)

    facts = result.as_dict()
    assert facts["rvc"]["vnm"] == "55.00"  # the pallet's 25.00 is not in the VNM
    assert [m["code"] for m in facts["materials"]] == ["BRASS"]
    assert [p["code"] for p in facts["transport_packing"]] == ["PALLET", "STRETCH-FILM"]
    assert not {"ORIGIN_UNKNOWN", "HS_MISSING", "BOM_COST_MISSING"} & codes(result)
    assert result.criterion == "CTC"
    assert "Packing for transport (PALLET, STRETCH-FILM): disregarded" in result.explanation


def test_the_same_pallet_as_retail_packing_would_count_for_rvc():
    retail = bought("4415.20", "25.00", origin="US", code="PALLET", role="packing")

    result = run(make_good("8538.90", fob="100.00", bom=[brass("40.00"), retail], claim="RVC"))

    # (100 - 40 - 25) / 100 = 35 % < 40 %: retail packing counts under RVC (Art 3.8.3)
    assert result.as_dict()["rvc"]["vnm"] == "65.00"
    assert result.originating is False


def test_an_invoice_derived_fob_says_the_transport_packing_is_included():
    good = make_good("8538.90", bom=[brass(), pallet()])
    del good["fob"]
    good.update(incoterm="CIF", invoice_value="110.00", freight="8.00", insurance="2.00")

    facts = run(good).as_dict()

    assert facts["rvc"]["fob"] == "100.00"
    assert facts["transport_packing_in_fob"] == "included"


def test_an_invoice_without_the_pallet_gets_its_cost_added_to_the_fob():
    good = make_good("8538.90", bom=[brass(), pallet()])
    del good["fob"]
    good.update(
        incoterm="CIF",
        invoice_value="85.00",
        freight="8.00",
        insurance="2.00",
        transport_packing_in_invoice=False,
    )

    result = run(good)

    facts = result.as_dict()
    assert facts["rvc"]["fob"] == "100.00"  # 85 - 8 - 2 + 25
    assert facts["transport_packing_in_fob"] == "added"
    assert "was added to the invoice value" in result.explanation


def test_a_given_fob_is_taken_as_it_is():
    facts = run(make_good("8538.90", fob="100.00", bom=[brass(), pallet()])).as_dict()

    assert facts["transport_packing_in_fob"] is None
