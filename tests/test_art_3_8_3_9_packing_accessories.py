"""Arts 3.8 and 3.9: retail packing and accessories presented with the good are disregarded for
the change in tariff classification, but their value counts in the RVC as originating or
non-originating material, as the case may be.

Two Chinese exporters: a switchgear-parts workshop (HS2022 8538.90, HS2012 rule of heading
85.38 "CTH or RVC40") that ships each part with a spare contact set, and an appliance maker
(HS2022 8509.80, "CTSH or RVC40") that sells its mixer in a printed retail carton.
"""

import pytest
from builders import bought, codes, make_good, proof, run


def material(result, code):
    return next(m for m in result.as_dict()["materials"] if m["code"] == code)


def german_base():
    """Non-originating and of the mixer's own subheading: CTSH fails, so RVC decides."""
    return bought("8509.80", "55.00", origin="DE", code="BASE")


def supplier_declared(hs, cost, code, **extra):
    return bought(
        hs, cost, origin="CN", code=code, with_proof=proof("SUPPLIER_DECLARATION"), **extra
    )


def test_a_spare_contact_set_shipped_with_the_part_is_ignored_for_the_change_of_heading():
    good = make_good(
        "8538.90",
        fob="100.00",
        bom=[
            bought("7407.21", "30.00", origin="DE", code="BRASS"),
            bought("8538.90", "15.00", origin="DE", code="SPARE-CONTACTS", role="accessory"),
        ],
    )

    result = run(good)

    # As a material, SPARE-CONTACTS 85.38 -> 85.38 would fail CTH, and at 15 % of FOB no de
    # minimis would save it. As an accessory (Art 3.9) it is disregarded: CTH holds strictly.
    # RVC: VNM 30.00 + 15.00 = 45.00; (100.00 - 45.00) / 100.00 x 100 = 55.00 %.
    assert result.criterion == "CTC"
    assert result.annotations == ()  # no DMI was needed
    assert material(result, "SPARE-CONTACTS")["ctc"] == "ignored"
    assert material(result, "BRASS")["ctc"] == "pass"
    assert result.as_dict()["rvc"]["vnm"] == "45.00"
    assert result.as_dict()["rvc"]["build_down"] == "55.00"


@pytest.mark.parametrize(
    ("carton", "build_down", "criterion"),
    [
        ("5.00", "40.00", "RVC"),  # (100.00 - 55.00 - 5.00) / 100.00 x 100 = 40.00 % -> met
        ("6.00", "39.00", None),  # (100.00 - 55.00 - 6.00) / 100.00 x 100 = 39.00 % -> not met
    ],
)
def test_an_imported_retail_carton_is_ignored_for_ctc_but_its_value_counts_for_rvc(
    carton, build_down, criterion
):
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[german_base(), bought("4819.20", carton, origin="DE", code="CARTON", role="packing")],
    )

    result = run(good)

    # Art 3.8.3: under an RVC rule the carton counts as a non-originating material.
    assert result.as_dict()["rvc"]["build_down"] == build_down
    assert result.criterion == criterion
    assert material(result, "CARTON")["ctc"] == "ignored"
    assert material(result, "CARTON")["originating"] is False


def test_an_originating_retail_carton_adds_to_the_originating_value_not_the_vnm():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[german_base(), supplier_declared("4819.20", "6.00", "CARTON", role="packing")],
        direct_labour="20.00",
        direct_overhead="10.00",
    )

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # VNM 55.00 only: build-down (100.00 - 55.00) / 100.00 x 100 = 45.00 %.
    # VOM 6.00: build-up (6.00 + 20.00 + 10.00) / 100.00 x 100 = 36.00 %.
    assert rvc["vnm"] == "55.00"
    assert rvc["vom"] == "6.00"
    assert rvc["build_down"] == "45.00"
    assert rvc["build_up"] == "36.00"
    assert result.criterion == "RVC"


def test_an_accessory_counts_in_the_vnm_and_can_sink_the_rvc():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            german_base(),
            bought("8509.90", "6.00", origin="DE", code="SPARE-BLADE", role="accessory"),
        ],
    )

    result = run(good)

    # Art 3.9: under an RVC rule the accessory's value counts as non-originating material:
    # (100.00 - 55.00 - 6.00) / 100.00 x 100 = 39.00 % < 40 %. Left out, it would be 45.00 %.
    assert result.as_dict()["rvc"]["vnm"] == "61.00"
    assert result.as_dict()["rvc"]["build_down"] == "39.00"
    assert material(result, "SPARE-BLADE")["ctc"] == "ignored"
    assert result.originating is False


def test_an_imported_retail_carton_does_not_stop_a_mixer_of_originating_parts_from_being_pe():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            supplier_declared("8501.40", "40.00", "MOTOR"),
            supplier_declared("3926.90", "10.00", "HOUSING"),
            bought("4819.20", "2.00", origin="DE", code="CARTON", role="packing"),
        ],
        processes=["assembly", "packaging"],
    )

    result = run(good)

    # Art 3.8.2: retail packing is disregarded when the good qualifies as PE.
    assert result.criterion == "PE"
    assert result.originating is True
    assert "PROCESS_MINIMAL" not in codes(result)
