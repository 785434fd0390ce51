"""A trade-compliance analyst loads Annex 3A product-specific rules and checks how they read.

The rule text is parsed by a small grammar (DESIGN.md "Product-specific rules and HS
versions"); a rule file is refused as a whole, naming the file and every bad line; the most
specific row wins; an HS2022 code without its own row is served by HS2012 rows through the
UNSD correlation, and never by a guess.
"""

from decimal import Decimal

import pytest

from rcep_rules import Reference
from rcep_rules.hs import default_nomenclatures
from rcep_rules.psr import (
    CR,
    CTC,
    RVC,
    WO,
    And,
    Incomplete,
    Or,
    PsrFileError,
    RuleMatch,
    RuleNotFound,
    RuleSyntaxError,
    alternatives,
    parse_rule,
    read_rule_file,
)

HEADER = "hs_version,level,code,description,psr,legibility,source_url,locator"
SOURCE = "https://example.org/annex-3a.pdf"
NOMENCLATURES = default_nomenclatures()


def rule_file(tmp_path, *rows, name="rules.csv"):
    """A PSR CSV file with the official header and the given rows (hs_version, level, code,
    psr, legibility); description, source and locator are filled in."""
    lines = [HEADER]
    for version, level, code, psr, legibility in rows:
        lines.append(f'{version},{level},{code},Test row,"{psr}",{legibility},{SOURCE},p.1')
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- the grammar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("WO", WO()),
        ("PE", WO()),  # produced entirely from originating materials meets WO (headnote 7)
        ("CC", CTC("CC")),
        ("CTH", CTC("CTH")),
        ("CTSH", CTC("CTSH")),
        ("RVC40", RVC(Decimal("40"))),
        ("RVC35", RVC(Decimal("35"))),
        ("CR", CR()),
    ],
)
def test_each_defined_term_of_annex_3a_is_understood(text, expected):
    assert parse_rule(text) == expected


def test_a_change_of_classification_is_measured_at_its_own_level():
    assert [CTC(kind).digits for kind in ("CC", "CTH", "CTSH")] == [2, 4, 6]
    # A CTSH part from another subheading of the same heading passes; a CTH one does not.
    assert CTC("CTSH").passes("851770", "851713") is True
    assert CTC("CTH").passes("851770", "851713") is False
    assert CTC("CC").passes("854231", "851713") is False
    assert CTC("CC").passes("740721", "853890") is True


def test_or_joins_alternatives_any_one_of_which_is_enough():
    rule = parse_rule("CTH or RVC40")

    assert rule == Or((CTC("CTH"), RVC(Decimal("40"))))
    assert alternatives(rule) == (CTC("CTH"), RVC(Decimal("40")))
    assert alternatives(parse_rule("CTSH")) == (CTC("CTSH"),)


def test_the_semicolon_before_or_in_the_treaty_text_changes_nothing():
    assert parse_rule("CTH; or RVC40") == parse_rule("CTH or RVC40")


def test_and_binds_tighter_than_or():
    assert parse_rule("CC or CTH and RVC40") == Or(
        (CTC("CC"), And((CTC("CTH"), RVC(Decimal("40")))))
    )
    assert parse_rule("CTH and RVC40 or CC") == Or(
        (And((CTC("CTH"), RVC(Decimal("40")))), CTC("CC"))
    )


def test_parentheses_override_the_precedence():
    rule = parse_rule("(CC or CTH) and RVC40")

    assert rule == And((Or((CTC("CC"), CTC("CTH"))), RVC(Decimal("40"))))
    assert str(rule) == "(CC or CTH) and RVC40"
    assert alternatives(rule) == (rule,)  # one alternative with two requirements


def test_a_heading_can_be_excluded_from_the_change_of_heading():
    rule = parse_rule("CTH except from heading 85.42")

    assert rule == CTC("CTH", ("8542",), "heading 85.42")
    assert str(rule) == "CTH except from heading 85.42"
    # Non-originating integrated circuits (85.42) may not be the materials that change heading.
    assert rule.passes("854231", "851713") is False
    assert rule.passes("854110", "851713") is True
    assert rule.passes("851770", "851713") is False  # same heading: no change at all


def test_an_exclusion_stays_inside_its_own_alternative():
    rule = parse_rule("CTH except from heading 85.42 or RVC40")

    assert rule == Or((CTC("CTH", ("8542",), "heading 85.42"), RVC(Decimal("40"))))


def test_a_list_of_excluded_headings_is_read_in_full():
    rule = parse_rule("CTH except from headings 85.41, 85.42 and 85.43")

    assert rule.excluded == ("8541", "8542", "8543")


@pytest.mark.parametrize("word", ["through", "to"])
def test_a_range_of_excluded_headings_covers_every_heading_in_between(word):
    rule = parse_rule(f"CC except from headings 72.08 {word} 72.16")

    assert rule.kind == "CC"
    assert rule.excluded == tuple(f"72{n:02d}" for n in range(8, 17))
    assert rule.passes("721090", "731815") is False
    assert rule.passes("720610", "731815") is True


def test_chapters_and_subheadings_can_be_excluded_too():
    assert parse_rule("CC except from chapter 72").excluded == ("72",)
    assert parse_rule("CTSH except from subheading 8517.12").excluded == ("851712",)


def test_a_cut_off_rule_is_read_as_an_alternative_that_never_holds():
    rule = parse_rule("CTH or [cut off]")

    assert rule == Or((CTC("CTH"), Incomplete()))
    assert str(rule) == "CTH or [cut off]"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "CTC",
        "CTH or RVC",
        "RVC400",
        "RVC40%",
        "CTH or",
        "(CTH or RVC40",
        "CTH, RVC40",
        "CTH and or RVC40",
        "Change to heading 85.17 from any heading",
        "A change to heading 85.17 from any other section",
        "CTH except 85.42",
        "CTH except from heading 85",
        "CTH except from section XVI",
        "CTH except from headings 85.43 through 85.41",
    ],
)
def test_text_the_grammar_does_not_know_is_refused_not_guessed(text):
    with pytest.raises(RuleSyntaxError) as refused:
        parse_rule(text)

    assert str(refused.value)


# --- reading a rule file -------------------------------------------------------------------------


def test_a_clean_rule_file_is_read_row_by_row(tmp_path):
    path = rule_file(
        tmp_path,
        ("HS2022", "heading", "01.01", "CTH", "clear"),
        ("HS2012", "subheading", "8466.93", "CTH or RVC40", "clear"),
    )

    rows = read_rule_file(path, NOMENCLATURES)

    assert [(r.hs_version, r.level, r.code) for r in rows] == [
        ("HS2022", "heading", "0101"),
        ("HS2012", "subheading", "846693"),
    ]
    assert rows[1].rule == Or((CTC("CTH"), RVC(Decimal("40"))))
    assert rows[1].source_url == SOURCE
    assert rows[1].origin == f"{path}:3"


def test_a_cut_off_rule_is_allowed_only_in_a_row_marked_partial(tmp_path):
    partial = rule_file(tmp_path, ("HS2012", "heading", "85.22", "CTH or [cut off]", "partial"))
    clear = rule_file(
        tmp_path, ("HS2012", "heading", "85.22", "CTH or [cut off]", "clear"), name="clear.csv"
    )

    assert read_rule_file(partial, NOMENCLATURES)[0].partial is True
    with pytest.raises(PsrFileError) as refused:
        read_rule_file(clear, NOMENCLATURES)
    assert refused.value.problems[0][0] == 2
    assert "partial" in refused.value.problems[0][1]


def test_a_bad_rule_file_is_refused_naming_the_file_and_every_bad_line(tmp_path):
    path = tmp_path / "annex3a_extract.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                f"HS2022,subheading,9999.99,Nothing,CTH,clear,{SOURCE},p.1",
                f"HS2022,heading,0101.21,Horses,CTH,clear,{SOURCE},p.1",
                f"HS2022,chapter,01,Live animals,CC,clear,{SOURCE},p.1",
                f"HS2022,chapter,01,Live animals again,CC,clear,{SOURCE},p.2",
                "HS2022,heading,01.02,Bovine animals,CTH,clear,,p.1",
                f"HS2022,heading,01.03,Swine,Change of heading,clear,{SOURCE},p.1",
                f"HS2017,heading,01.04,Sheep,CTH,clear,{SOURCE},p.1",
                f"HS2022,heading,01.05,Poultry,CTH,legible,{SOURCE},p.1",
                "HS2022,heading,01.06,Other animals,CTH",
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    with pytest.raises(PsrFileError) as refused:
        read_rule_file(path, NOMENCLATURES)

    problems = dict(refused.value.problems)
    assert sorted(problems) == [2, 3, 5, 6, 7, 8, 9, 10]  # line 4 is fine
    assert "9999.99" in problems[2] and "HS2022" in problems[2]  # not in the nomenclature
    assert "heading" in problems[3] and "4 digits" in problems[3]  # wrong level for the digits
    assert "line 4" in problems[5]  # a duplicate names the line it repeats
    assert "source_url" in problems[6]
    assert "Change" in problems[7]
    assert "HS2017" in problems[8]
    assert "legible" in problems[9]
    assert "columns" in problems[10]
    message = str(refused.value)
    for line in (2, 3, 5, 6, 7, 8, 9, 10):
        assert f"{path}:{line}:" in message


def test_a_file_with_the_wrong_header_is_refused_at_line_1(tmp_path):
    path = tmp_path / "rules.csv"
    path.write_text("hs,level,code,psr\nHS2022,chapter,01,CC\n", encoding="utf-8")

    with pytest.raises(PsrFileError) as refused:
        read_rule_file(path, NOMENCLATURES)

    [(line, problem)] = refused.value.problems
    assert line == 1
    assert HEADER in problem


def test_loading_a_reference_with_a_bad_rule_file_refuses_it_rather_than_skipping_lines(tmp_path):
    path = rule_file(tmp_path, ("HS2022", "subheading", "9999.99", "CTH", "clear"))

    with pytest.raises(PsrFileError) as refused:
        Reference.load(rule_files=(path,))

    assert str(path) in str(refused.value)


# --- which row applies ---------------------------------------------------------------------------


def test_the_most_specific_row_wins_subheading_then_heading_then_chapter(tmp_path):
    path = rule_file(
        tmp_path,
        ("HS2022", "chapter", "01", "CC", "clear"),
        ("HS2022", "heading", "01.01", "CTH", "clear"),
        ("HS2022", "subheading", "0101.21", "CTSH", "clear"),
    )
    rules = Reference.load(rule_files=(path,)).rules

    pure_bred_horses = rules.find("010121", "HS2022")
    other_horses = rules.find("010129", "HS2022")
    live_cattle = rules.find("010221", "HS2022")

    assert (pure_bred_horses.row.level, pure_bred_horses.row.psr) == ("subheading", "CTSH")
    assert (other_horses.row.level, other_horses.row.psr) == ("heading", "CTH")
    assert (live_cattle.row.level, live_cattle.row.psr) == ("chapter", "CC")
    assert not any(m.transposed for m in (pure_bred_horses, other_horses, live_cattle))


def test_an_hs2012_row_serves_a_one_to_one_hs2022_code_and_says_so(tmp_path):
    path = rule_file(tmp_path, ("HS2012", "subheading", "0101.21", "CTSH", "clear"))
    rules = Reference.load(rule_files=(path,)).rules

    found = rules.find("010121", "HS2022")

    assert isinstance(found, RuleMatch)
    assert found.transposed is True
    assert found.row.code == "010121"
    assert found.mapped == ("010121",)
    assert found.relationship == "1:1"


def test_the_bundled_hs2012_cellular_telephone_rule_serves_hs2022_smartphones_n_to_1():
    rules = Reference.load(rule_files=()).rules

    smartphones = rules.find("851713", "HS2022")
    other_phones = rules.find("851714", "HS2022")

    for found in (smartphones, other_phones):
        assert isinstance(found, RuleMatch)
        assert found.transposed is True
        assert (found.row.hs_version, found.row.code) == ("HS2012", "851712")
        assert found.mapped == ("851712",)
        assert found.relationship == "n:1"
        assert found.row.psr == "CTSH or RVC40"


def test_an_hs2012_good_is_not_transposed_and_without_its_own_row_has_no_rule():
    rules = Reference.load(rule_files=()).rules

    found = rules.find("846693", "HS2012")

    assert isinstance(found, RuleNotFound)
    assert found.version == "HS2012"


def test_a_chapter_84_part_has_no_rule_and_the_detail_names_the_code_looked_for():
    rules = Reference.load(rule_files=()).rules

    found = rules.find("846693", "HS2022")

    assert isinstance(found, RuleNotFound)
    assert "8466.93" in found.detail and "n:1" in found.detail


def test_a_code_split_over_several_hs2012_codes_without_their_rules_is_not_found():
    # HS2022 0301.93 (live carp) correlates to HS2012 0301.93 and 0301.99.
    rules = Reference.load(rule_files=()).rules

    found = rules.find("030193", "HS2022")

    assert isinstance(found, RuleNotFound)
    assert "0301.93" in found.detail and "0301.99" in found.detail


def test_a_split_code_with_only_one_of_its_hs2012_rules_loaded_names_the_missing_one(tmp_path):
    path = rule_file(tmp_path, ("HS2012", "subheading", "0301.93", "CC", "clear"))
    rules = Reference.load(rule_files=(path,)).rules

    found = rules.find("030193", "HS2022")

    assert isinstance(found, RuleNotFound)
    assert found.detail.endswith("no rule is loaded for 0301.99")


def test_a_split_code_whose_hs2012_rules_differ_is_not_guessed(tmp_path):
    path = rule_file(
        tmp_path,
        ("HS2012", "subheading", "0301.93", "CC", "clear"),
        ("HS2012", "subheading", "0301.99", "CTH", "clear"),
    )
    rules = Reference.load(rule_files=(path,)).rules

    found = rules.find("030193", "HS2022")

    assert isinstance(found, RuleNotFound)
    assert "differ" in found.detail


def test_a_split_code_whose_hs2012_codes_share_one_rule_gets_it_with_both_codes_named(tmp_path):
    path = rule_file(tmp_path, ("HS2012", "chapter", "03", "CC", "clear"))
    rules = Reference.load(rule_files=(path,)).rules

    found = rules.find("030193", "HS2022")

    assert isinstance(found, RuleMatch)
    assert found.row.psr == "CC"
    assert found.mapped == ("030193", "030199")


# --- importing rows into a loaded rule book ------------------------------------------------------


def test_merging_rows_reports_what_was_added_unchanged_and_in_conflict(tmp_path):
    path = rule_file(
        tmp_path,
        ("HS2012", "subheading", "8466.93", "CTH or RVC40", "clear"),  # new
        ("HS2012", "subheading", "8517.12", "CTSH or RVC40", "clear"),  # as bundled
        ("HS2012", "subheading", "8517.11", "CTH", "clear"),  # bundled says CTSH or RVC40
    )
    rules = Reference.load(rule_files=()).rules

    report = rules.merge(read_rule_file(path, NOMENCLATURES))

    assert [r.code for r in report.added] == ["846693"]
    assert [r.code for r in report.unchanged] == ["851712"]
    assert [(new.psr, old.psr) for new, old in report.conflicts] == [("CTH", "CTSH or RVC40")]
    assert report.replaced == ()
    assert rules.find("846693", "HS2022").row.psr == "CTH or RVC40"
    assert rules.find("851711", "HS2022").row.psr == "CTSH or RVC40"  # conflict: not taken


def test_merging_with_replace_lets_the_file_win_and_reports_what_it_replaced(tmp_path):
    path = rule_file(tmp_path, ("HS2012", "subheading", "8517.11", "CTH", "clear"))
    rules = Reference.load(rule_files=()).rules

    report = rules.merge(read_rule_file(path, NOMENCLATURES), replace=True)

    assert report.conflicts == ()
    [(new, old)] = report.replaced
    assert (new.psr, old.psr) == ("CTH", "CTSH or RVC40")
    assert rules.find("851711", "HS2022").row.psr == "CTH"
