"""The rule forms Annex 3A and its copies print beyond the short terms, read into the rule
tree and evaluated, each with the text it came from:

* exceptions that mix levels: "CTSH except from subheading 8471.30 and heading 85.04";
* the long forms: "a change to headings 84.07 through 84.08 from any heading outside that
  group" (a CTH judged against the whole group), "a change from any other heading" (CTH);
* "RVC 40" written with a space;
* a proviso on named materials: "CTH, provided that the non-originating materials of heading
  85.42 do not exceed 10 per cent of the FOB value of the good".

What the grammar cannot evaluate is refused when the table is loaded, with file and line.
"""

import json
from decimal import Decimal

import pytest
from builders import bought, make_good, run, shipment

from rcep_rules import Reference, load_shipments, remedies
from rcep_rules.psr import CTC, RVC, And, MaterialCap, Or, PsrFileError, parse_rule, read_rule_file
from rcep_rules.reference import nomenclatures

HEADER = "hs_version,level,code,description,psr,legibility,source_url,locator"


def rules(tmp_path, *rows):
    """A reference with the bundled rows and these (hs_version, level, code, psr)."""
    path = tmp_path / "rules.csv"
    lines = [HEADER] + [
        f'{v},{level},{code},Test row,"{psr}",clear,https://example.org/annex,p.1'
        for v, level, code, psr in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Reference.load((path,))


def test_an_exception_that_mixes_levels_excludes_both():
    text = "CTSH except from subheading 8471.30 and heading 85.04"
    rule = parse_rule(text)

    assert rule == CTC("CTSH", ("847130", "8504"), "subheading 8471.30 and heading 85.04")
    assert str(rule) == text
    assert not rule.passes("850440", "847150")  # excluded heading
    assert not rule.passes("847130", "847150")  # excluded subheading
    assert rule.passes("847330", "847150")


def test_a_server_made_with_a_non_originating_power_supply_of_85_04_fails_the_mixed_exception(
    tmp_path,
):
    reference = rules(
        tmp_path,
        (
            "HS2022",
            "subheading",
            "8471.50",
            "CTSH except from subheading 8471.30 and heading 85.04",
        ),
    )
    psu = bought("8504.40", "20.00", origin="US", code="PSU")
    board = bought("8473.30", "20.00", origin="US", code="BOARD")

    with_psu = run(make_good("8471.50", fob="100.00", bom=[psu, board]), reference)
    without = run(make_good("8471.50", fob="100.00", bom=[board]), reference)

    assert with_psu.originating is False  # 20.00 of 85.04: more than de minimis (10.00)
    assert without.criterion == "CTC"


def test_the_long_form_with_a_group_is_a_cth_judged_against_the_whole_group():
    text = "A change to headings 84.07 through 84.08 from any heading outside that group"
    rule = parse_rule(text)

    assert rule.kind == "CTH"
    assert rule.group == ("8407", "8408")
    assert str(rule) == text
    assert not rule.passes("840890", "840734")  # another heading, but inside the group
    assert rule.passes("840991", "840734")


def test_an_engine_built_on_a_non_originating_diesel_engine_of_the_same_group_is_not_originating(
    tmp_path,
):
    group_rule = "a change to headings 84.07 through 84.08 from any heading outside that group"
    reference = rules(tmp_path, ("HS2022", "heading", "84.07", group_rule))
    plain = rules(tmp_path, ("HS2022", "heading", "84.07", "CTH"))
    diesel = bought("8408.90", "50.00", origin="US", code="BASE-ENGINE")
    parts = bought("8409.91", "30.00", origin="US", code="PARTS")
    good = make_good("8407.34", fob="100.00", bom=[diesel, parts])

    # 84.08 -> 84.07 is a change of heading, but not from outside the group
    assert run(good, plain).criterion == "CTC"
    grouped = run(good, reference)
    assert grouped.originating is False
    failing = grouped.as_dict()["ctc"][0]["failing"]
    assert [f["code"] for f in failing] == ["BASE-ENGINE"]
    assert "outside the group headings 84.07 through 84.08" in grouped.explanation
    assert run(make_good("8407.34", fob="100.00", bom=[parts]), reference).criterion == "CTC"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("A change from any other heading", "CTH"),
        ("a change from any other subheading", "CTSH"),
        ("A change from any other chapter", "CC"),
        ("A change to heading 85.04 from any other heading", "CTH"),
        (
            "A change to subheading 8471.30 from any other subheading, including another "
            "subheading within that group",
            "CTSH",
        ),
    ],
)
def test_the_long_forms_of_cc_cth_and_ctsh_are_the_same_changes(text, kind):
    rule = parse_rule(text)

    assert (rule.kind, rule.group, rule.excluded) == (kind, (), ())
    assert str(rule) == text[0].upper() + text[1:]
    assert rule.passes("740721", "853890") == CTC(kind).passes("740721", "853890")
    assert rule.passes("853810", "853890") == CTC(kind).passes("853810", "853890")


def test_a_long_form_keeps_its_exception():
    text = "A change to heading 85.04 from any other heading, except from heading 85.42"
    rule = parse_rule(text)

    assert (rule.kind, rule.excluded) == ("CTH", ("8542",))
    assert str(rule) == text


def test_rvc_40_with_a_space_as_some_copies_print_it():
    assert parse_rule("RVC 40") == RVC(Decimal(40))
    assert parse_rule("CTH or RVC 40") == Or((CTC("CTH"), RVC(Decimal(40))))


PROVISO = (
    "CTH, provided that the non-originating materials of heading 85.42 do not exceed 10 per "
    "cent of the FOB value of the good"
)


def test_a_proviso_on_named_materials_is_a_condition_of_its_term():
    rule = parse_rule(PROVISO)

    assert rule == And((CTC("CTH"), MaterialCap(("8542",), Decimal(10), "heading 85.42")))
    assert str(rule) == PROVISO
    assert parse_rule(
        "CTH provided that the value of the non-originating materials of headings 85.41 and "
        "85.42 does not exceed 10% of the FOB value or RVC40"
    ) == Or(
        (
            And(
                (CTC("CTH"), MaterialCap(("8541", "8542"), Decimal(10), "headings 85.41 and 85.42"))
            ),
            RVC(Decimal(40)),
        )
    )


@pytest.mark.parametrize("chips, originating", [("10.00", True), ("10.01", False)])
def test_a_laptop_with_non_originating_chips_meets_the_proviso_up_to_10_per_cent(
    tmp_path, chips, originating
):
    reference = rules(tmp_path, ("HS2022", "subheading", "8471.30", PROVISO))
    good = make_good(
        "8471.30",
        fob="100.00",
        bom=[
            bought("8542.31", chips, origin="US", code="SOC"),
            bought("8473.30", "20.00", origin="US", code="MAINBOARD"),
        ],
    )

    result = run(good, reference)

    # CTH holds either way (85.42, 84.73 -> 84.71); the proviso caps the chips, inclusive
    assert result.originating is originating
    assert result.criterion == ("CTC" if originating else None)
    met = "met" if originating else "not met"
    assert (
        f"Proviso: the non-originating materials of heading 85.42 are worth {chips} USD, "
        f"{chips} % of FOB 100.00; not more than 10 %: {met}." in result.explanation
    )


@pytest.mark.parametrize(
    "psr, problem",
    [
        (
            "CTH, provided that the non-originating materials of heading 85.42 are assembled "
            "in a Party",
            "the proviso",
        ),
        ("a change from any heading", "needs 'other' or 'outside that group'"),
        (
            "A change to headings 84.07 through 84.08 from any heading outside that group",
            "does not include 85.04",
        ),
    ],
)
def test_what_the_grammar_cannot_evaluate_is_a_load_time_error_with_file_and_line(
    tmp_path, psr, problem
):
    path = tmp_path / "rules.csv"
    path.write_text(
        f'{HEADER}\nHS2022,heading,85.04,Test row,"{psr}",clear,https://example.org,p.1\n',
        encoding="utf-8",
    )

    with pytest.raises(PsrFileError) as refused:
        read_rule_file(path, nomenclatures())

    assert f"{path}:2:" in str(refused.value)
    assert problem in str(refused.value)


def test_remedies_for_a_proviso_alternative_say_it_is_not_searched(tmp_path):
    reference = rules(tmp_path, ("HS2022", "subheading", "8471.30", PROVISO))
    good = make_good("8471.30", fob="100.00", bom=[bought("8542.31", "30.00", origin="US")])

    answer = remedies(load_shipments(json.dumps(shipment(good)))[0], reference)

    assert [o.code for o in answer.obstacles] == ["PROVISO"]
