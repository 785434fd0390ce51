"""The walk decides whether each sub-assembly is originating without making its whole World
(criteria, RVC figures, CTC outcomes), which is made on first use. Both must agree."""

import pytest
from builders import bought, made, make_good, proof, run
from hypothesis import given
from test_properties import SETTINGS, goods

from rcep_rules import Reference

HEADER = "hs_version,level,code,description,psr,legibility,source_url,locator\n"


def assert_walk_agrees_with_worlds(result):
    for node in result._walk.nodes.values():
        world = node.world()
        vnm, vom, ctc, block = node.sums
        assert node.originating == world.originating, node.item.path
        assert node.wo == world.wo, node.item.path
        assert (vnm, vom, ctc, block) == (
            world.rvc.vnm,
            world.rvc.vom,
            world.ctc_values,
            world.uses_non_originating,
        ), node.item.path


@SETTINGS
@given(goods())
def test_the_walk_and_the_worlds_agree_on_every_node(good):
    assert_walk_agrees_with_worlds(run(good))


JP = proof("RCEP_CO", "JP-2026-001")
CN = proof("SUPPLIER_DECLARATION", "CN-1")


@pytest.mark.parametrize(
    "sub",
    [
        # no BOM lines at all: neither PE nor WO, judged on its rule alone
        made("8538.90", [], code="EMPTY"),
        # wholly obtained from wholly obtained Chinese material
        made(
            "7407.21",
            [bought("7403.11", "5.00", origin="CN", with_proof=CN, wholly_obtained=True)],
            wholly_obtained=True,
            code="WO",
        ),
        # only originating materials: PE
        made("8538.90", [bought("7407.21", "5.00", origin="CN", with_proof=CN)], code="PE"),
        # only minimal operations on non-originating materials
        made("8538.90", [bought("7407.21", "5.00", origin="DE")], ["packaging"], code="MIN"),
        # no process given
        made("8538.90", [bought("7407.21", "5.00", origin="DE")], [], code="NOPROC"),
        # originating only thanks to a Japanese part
        made("8538.90", [bought("8538.90", "5.00", origin="JP", with_proof=JP)], code="JP"),
        # a packing sub-assembly and an in-house tool
        made("4819.10", [bought("4804.11", "1.00", origin="DE")], role="packing", code="BOX"),
        made("8207.30", [bought("7208.51", "1.00", origin="DE")], role="indirect", code="JIG"),
    ],
    ids=lambda sub: sub["code"],
)
def test_the_walk_and_the_worlds_agree_on_edge_cases(sub):
    good = make_good(
        "8538.90", bom=[made("8538.90", [sub, bought("7407.21", "2.00", origin="DE")])]
    )
    result = run(good)
    assert len(result._walk.nodes) == 3  # (an empty BOM is an error, but it is walked)
    assert_walk_agrees_with_worlds(result)


@pytest.mark.parametrize(("label_weight", "originating"), [("0.010", True), ("0.050", False)])
def test_the_walk_and_the_worlds_agree_on_de_minimis_by_weight(tmp_path, label_weight, originating):
    # Art 3.7(b) in a sub-assembly: the label fails CTH and is 60 % of its value, but 5 %
    # (within) or 25 % (not) of its weight.
    path = tmp_path / "rules.csv"
    path.write_text(HEADER + "HS2022,chapter,61,test row,CTH,clear,test,test\n")
    reference = Reference.load(rule_files=(path,))
    fabric = bought("6006.21", "2.00", origin="US", weight="0.190")
    label = bought("6109.10", "3.00", origin="US", weight=label_weight)
    shirt = made("6109.10", [fabric, label], ["assembly"], weight="0.200", code="SHIRT")
    result = run(make_good("6109.10", fob="20.00", bom=[shirt], weight="0.200"), reference)
    sub = next(n for n in result._walk.nodes.values() if n.item.code == "SHIRT")
    assert sub.originating is originating
    assert_walk_agrees_with_worlds(result)
