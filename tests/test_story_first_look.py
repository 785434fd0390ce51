"""A compliance officer checks a CNC-machined switchgear part bound for Viet Nam."""

from builders import bought, codes, make_good, run


def test_a_machined_switchgear_part_from_imported_brass_is_originating_by_change_of_heading():
    good = make_good("8538.90", fob="100.00", bom=[bought("7407.21", "30.00", origin="DE")])

    result = run(good)

    assert result.originating is True
    assert result.criterion == "CTC"
    assert result.satisfied == ("CTC", "RVC")  # RVC: (100 - 30) / 100 = 70 % >= 40 %
    assert "PSR_TRANSPOSED" in codes(result)  # the rule is HS2012 85.38, the good HS2022
    assert result.exit_code == 0
