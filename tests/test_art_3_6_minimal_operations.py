"""Art 3.6: minimal operations on non-originating materials do not confer origin.

A Chinese workshop makes copper busbar parts for switchgear (HS2022 8538.90; the HS2012 rule of
heading 85.38, "CTH or RVC40", applies through the correlation) from German brass bars
(7407.21). On paper the parts pass both alternatives of the rule: brass 74.07 -> 85.38 is a
change of heading, and (100.00 - 30.00) / 100.00 x 100 = 70.00 % meets RVC40. Whether they are
originating depends on what the workshop actually does to the bars.
"""

import pytest
from builders import bought, codes, issue, make_good, proof, run


def german_brass(code="BRASS"):
    return bought("7407.21", "30.00", origin="DE", code=code)


def busbar_part(processes, bom=None):
    return make_good(
        "8538.90", fob="100.00", bom=bom or [german_brass()], processes=list(processes)
    )


def test_busbar_parts_only_cut_marked_and_packed_from_german_brass_are_not_originating():
    result = run(busbar_part(["cutting", "marking", "packaging"]))

    # Art 3.6(c) cutting, (d) marking, (b) packaging, combined (k): minimal, whatever the PSR
    # says -- although CTH (74.07 -> 85.38) and RVC 70.00 % would both pass on the arithmetic.
    minimal = issue(result, "PROCESS_MINIMAL")
    assert minimal.severity == "warning"
    assert minimal.path == "good"
    assert result.originating is False
    assert result.criterion is None
    assert result.satisfied == ()
    assert result.annotations == ()
    assert result.exit_code == 1
    assert "no origin is conferred (Art 3.6)" in result.explanation


@pytest.mark.parametrize(
    "process", ["cutting", "bending", "sorting", "simple_painting", "coiling", "marking"]
)
def test_a_single_minimal_operation_on_german_brass_confers_no_origin(process):
    result = run(busbar_part([process]))

    assert "PROCESS_MINIMAL" in codes(result)
    assert result.originating is False
    assert result.satisfied == ()


def test_simple_painting_combined_with_simple_polishing_is_still_minimal():
    result = run(busbar_part(["simple_painting", "simple_polishing"]))

    # Art 3.6(k): any combination of two or more of (a)-(j) is minimal too.
    assert "PROCESS_MINIMAL" in codes(result)
    assert result.originating is False


def test_stamping_alongside_cutting_and_packaging_confers_origin_by_change_of_heading():
    result = run(busbar_part(["cutting", "stamping", "packaging"]))

    # Stamping is not in the Art 3.6 list, so the rule decides: CTH 74.07 -> 85.38 holds,
    # and build-down (100.00 - 30.00) / 100.00 x 100 = 70.00 % meets RVC40.
    assert "PROCESS_MINIMAL" not in codes(result)
    assert result.originating is True
    assert result.criterion == "CTC"
    assert result.satisfied == ("CTC", "RVC")
    assert result.as_dict()["rvc"]["build_down"] == "70.00"
    assert result.exit_code == 0


def test_packaging_busbar_parts_made_of_originating_chinese_brass_is_not_caught_by_art_3_6():
    chinese_brass = bought(
        "7407.21",
        "30.00",
        origin="CN",
        code="BRASS",
        with_proof=proof("SUPPLIER_DECLARATION", "SD-9"),
    )

    result = run(busbar_part(["cutting", "packaging"], bom=[chinese_brass]))

    # Art 3.6 concerns operations on non-originating materials; here every material is
    # originating, so the good is PE.
    assert "PROCESS_MINIMAL" not in codes(result)
    assert result.criterion == "PE"
    assert result.exit_code == 0


def test_marking_japanese_brass_with_an_rcep_certificate_is_not_caught_by_art_3_6():
    japanese_brass = bought(
        "7407.21", "30.00", origin="JP", code="BRASS", with_proof=proof("RCEP_CO", "JP-7")
    )

    result = run(busbar_part(["marking", "packaging"], bom=[japanese_brass]))

    # Japanese brass with a certificate is originating (Art 3.4): no non-originating material.
    assert "PROCESS_MINIMAL" not in codes(result)
    assert result.criterion == "PE"
    assert result.annotations == ()


def test_cutting_brass_of_unknown_origin_confers_no_origin_either():
    unknown = bought("7407.21", "30.00", code="BRASS")  # no origin, no proof

    result = run(busbar_part(["cutting"], bom=[unknown]))

    # Art 3.5.4: undetermined origin counts as non-originating, so Art 3.6 applies.
    assert {"ORIGIN_UNKNOWN", "PROCESS_MINIMAL"} <= codes(result)
    assert result.originating is False
    assert result.satisfied == ()
