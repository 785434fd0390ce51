"""The bundled Annex 3A rows: what was read, where, and that each form they use evaluates.

Five chapter-85 rows were read from the Thai government's translation (rules printed in
English), and 53 rows of other chapters (CC, CC except from Chapter 01, CC except from
subheading 1211.20, WO, ...) from the English flipbook. Each keeps its source and locator.
"""

import pytest
from builders import bought, make_good, run

from rcep_rules import Reference
from rcep_rules.psr import RuleMatch

REFERENCE = Reference.load(())


@pytest.mark.parametrize(
    "code, rule",
    [
        ("853010", "CTSH or RVC40"),
        ("853080", "CTSH or RVC40"),
        ("853090", "CTH or RVC40"),
        ("853331", "CTSH or RVC40"),
        ("853339", "CTSH or RVC40"),
    ],
)
def test_the_five_chapter_85_rows_from_the_thai_translation_are_loaded_with_their_page(code, rule):
    found = REFERENCE.rules.find(code, "HS2012")

    assert isinstance(found, RuleMatch)
    assert found.row.psr == rule
    assert found.row.source_url.endswith("DTN/03/files/basic-html/page177.html")
    assert "p.177" in found.row.locator


def test_the_other_chapters_are_loaded_each_with_a_source_and_chapter_95_once():
    rows = [r for r in REFERENCE.rules.rows.values() if r.code[:2] not in ("84", "85", "90")]

    assert len(rows) == 53
    assert all(r.source_url and r.locator for r in rows)
    chapter_95 = REFERENCE.rules.rows[("HS2012", "95")]
    assert "page212" in chapter_95.source_url and "p.194" in chapter_95.locator


def test_guts_of_bovine_animals_fail_cc_except_from_chapter_01_when_made_from_live_cattle():
    # 0504.00 "CC except from Chapter 01": a change of chapter, but not from live animals
    cattle = bought("0102.29", "60.00", origin="AU", code="CATTLE")
    salt = bought("2501.00", "5.00", origin="AU", code="SALT")

    from_cattle = run(make_good("0504.00", fob="100.00", bom=[cattle, salt], hs_version="HS2012"))
    from_salt = run(make_good("0504.00", fob="100.00", bom=[salt], hs_version="HS2012"))

    assert from_cattle.originating is False
    assert from_salt.criterion == "CTC"


def test_a_vegetable_extract_fails_cc_except_from_subheading_1211_20_from_ginseng_roots():
    ginseng = bought("1211.20", "40.00", origin="US", code="GINSENG")
    other_plants = bought("1211.90", "40.00", origin="US", code="HERBS")

    assert run(make_good("1302.19", bom=[ginseng], hs_version="HS2012")).originating is False
    assert run(make_good("1302.19", bom=[other_plants], hs_version="HS2012")).criterion == "CTC"


def test_potatoes_under_wo_originate_only_when_wholly_obtained():
    grown = make_good("0701.90", bom=[], processes=["packaging"], wholly_obtained=True)
    imported = make_good(
        "0701.90", bom=[bought("0701.90", "50.00", origin="US")], processes=["sorting"]
    )

    assert run(grown).criterion == "WO"
    assert run(imported).originating is False
