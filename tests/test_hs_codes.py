"""A customs broker types HS codes the way people write them, in HS2022 or in HS2012.

Codes are compared as digits (dots, spaces and dashes are only notation), shown in the
customary notation, checked against the nomenclature of their own edition, and related
across editions by the UNSD HS2022 -> HS2012 correlation table.
"""

import pytest

from rcep_rules.hs import (
    HS2012,
    HS2022,
    default_correlation,
    default_nomenclatures,
    display,
    normalise,
)

NOMENCLATURES = default_nomenclatures()
CORRELATION = default_correlation()


@pytest.mark.parametrize(
    "written, digits",
    [
        ("8538.90", "853890"),
        (" 8517 13 00 ", "85171300"),
        ("8517-13", "851713"),
        ("8538.90.00", "85389000"),
        (853890, "853890"),
        ("85", "85"),
    ],
)
def test_notation_is_stripped_down_to_the_digits(written, digits):
    assert normalise(written) == digits


@pytest.mark.parametrize("written", ["85A8", "", "  ", "8538,90", None, True, 8538.9, ["853890"]])
def test_anything_that_is_not_digits_is_not_an_hs_code(written):
    assert normalise(written) is None


@pytest.mark.parametrize(
    "digits, shown",
    [
        ("85", "85"),
        ("8538", "85.38"),
        ("853890", "8538.90"),
        ("85389000", "8538.90.00"),
    ],
)
def test_codes_are_shown_as_chapter_heading_and_subheading(digits, shown):
    assert display(digits) == shown


def test_display_and_normalise_undo_each_other():
    for digits in ("8538", "853890", "85171300"):
        assert normalise(display(digits)) == digits


def test_smartphones_have_their_own_subheading_only_in_hs2022():
    assert "851713" in NOMENCLATURES[HS2022]
    assert "851713" not in NOMENCLATURES[HS2012]
    assert "Telephone sets; smartphones" in NOMENCLATURES[HS2022].describe("851713")


def test_the_old_cellular_telephone_subheading_exists_only_in_hs2012():
    assert "851712" in NOMENCLATURES[HS2012]
    assert "851712" not in NOMENCLATURES[HS2022]
    assert NOMENCLATURES[HS2022].describe("851712") == ""


def test_flat_panel_display_modules_are_a_new_hs2022_heading():
    assert "8524" in NOMENCLATURES[HS2022]
    assert "8524" not in NOMENCLATURES[HS2012]


@pytest.mark.parametrize("version", [HS2012, HS2022])
@pytest.mark.parametrize("code", ["85", "8538", "853890", "846693"])
def test_chapters_headings_and_subheadings_common_to_both_editions_are_known(version, code):
    assert code in NOMENCLATURES[version]


@pytest.mark.parametrize("version", [HS2012, HS2022])
@pytest.mark.parametrize("code", ["999999", "853899", "00", "TOTAL", "8538.90"])
def test_codes_outside_the_nomenclature_are_not_members(version, code):
    assert code not in NOMENCLATURES[version]


def test_hs2022_smartphones_correlate_to_hs2012_cellular_telephones_n_to_1():
    assert CORRELATION.to_hs2012("851713") == (("851712",), "n:1")
    assert CORRELATION.to_hs2012("851714") == (("851712",), "n:1")


def test_an_unchanged_subheading_correlates_to_itself():
    assert CORRELATION.to_hs2012("010121") == (("010121",), "1:1")


def test_a_split_subheading_correlates_to_every_hs2012_code_it_came_from():
    targets, _ = CORRELATION.to_hs2012("030193")

    assert targets == ("030193", "030199")


def test_a_code_that_is_not_an_hs2022_subheading_has_no_correlation():
    assert CORRELATION.to_hs2012("851712") == ((), "")
    assert CORRELATION.to_hs2012("8517") == ((), "")
