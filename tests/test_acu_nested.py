"""ACU for goods whose sub-assemblies originate only thanks to cumulation (Arts 3.4, 3.12).

Without cumulation, the engine first asks whether the declared criterion would hold even if no
sub-assembly were originating and every cumulated material were not (a bound, exact because
fewer originating materials never make a criterion hold); only when that is unsure does it
judge every sub-assembly again without cumulation. These tests pin both ways to the answer.
"""

from unittest import mock

import pytest
from builders import bought, made, make_good, proof, run
from hypothesis import given
from test_properties import SETTINGS, goods

from rcep_rules.evaluation import _still_holds, _Walk


def japanese(hs, cost, code):
    return bought(hs, cost, origin="JP", code=code, with_proof=proof("RCEP_CO", "JP-2026-001"))


def switchgear(japanese_hs):
    """8538.90 (CTH or RVC40) made of a sub-assembly made of a sub-assembly with a Japanese
    part; all three are 8538.90, and the Japanese part fails CTH when coded 8538.90."""
    inner = made(
        "8538.90",
        [japanese(japanese_hs, "30.00", "JP-PART"), bought("8536.90", "5.00", origin="DE")],
        code="INNER",
    )
    outer = made("8538.90", [inner, bought("8536.90", "5.00", origin="DE")], code="OUTER")
    return make_good("8538.90", fob="100.00", bom=[outer, bought("8536.90", "10.00", origin="DE")])


def test_acu_when_a_sub_assembly_two_levels_down_originates_only_with_cumulation():
    result = run(switchgear("8538.90"))

    # With cumulation: INNER passes CTH (only 8536.90 is non-originating), rolls up into OUTER,
    # which passes CTH too and rolls up into the good: CTC holds strictly.
    # Without: INNER fails CTH (30.00 of 8538.90 in 35.00) and RVC40 (nothing originating),
    # so does OUTER (30.00 of 40.00) and the good: 8538.90 worth 30.00 is 30 % of FOB, more
    # than de minimis allows. RVC40 still holds ((100.00 - 50.00) / 100.00 = 50 %), not CTC.
    assert result.originating is True
    assert result.criterion == "CTC"
    assert result.satisfied == ("CTC", "RVC")
    assert result.annotations == ("ACU",)
    materials = {m["code"]: m for m in result.as_dict()["materials"]}
    assert materials["OUTER"]["originating"] is True
    assert materials["INNER"]["originating"] is True


def test_no_acu_when_the_japanese_part_passes_cth_anyway_and_nothing_is_judged_twice():
    result = run(switchgear("8536.90"))

    assert result.criterion == "CTC"
    assert result.annotations == ()
    # The bound settles it: no sub-assembly (nor the good) was judged without cumulation.
    nodes = result._walk.nodes.values()
    assert all(getattr(node, "without_cumulation", None) is None for node in nodes)


@pytest.mark.parametrize(
    ("german_cost", "annotations"),
    [
        # Without cumulation: non-originating 25.00 + 5.00 + 5.00 + 30.00 = 65.00 -> 35 %.
        ("25.00", ("ACU",)),
        # Without cumulation: 15.00 + 5.00 + 5.00 + 30.00 = 55.00 -> 45 %, RVC40 still holds.
        ("15.00", ()),
    ],
)
def test_acu_for_rvc_reached_only_with_a_sub_assembly_two_levels_down(german_cost, annotations):
    good = switchgear("8538.90")
    good["bom"][1] = bought("8538.90", german_cost, origin="DE", code="DE-PART")

    result = run(good)

    # CTH fails either way (8538.90 from Germany is more than 10 % of FOB); with cumulation
    # OUTER rolls up and only DE-PART is non-originating: build-down 75 % or 85 %.
    assert result.criterion == "RVC"
    assert result.satisfied == ("RVC",)
    assert result.annotations == annotations


@pytest.mark.parametrize(("labour", "annotations"), [("20.00", ("ACU",)), ("40.00", ())])
def test_acu_for_rvc_by_build_up_when_nothing_would_be_originating_without_cumulation(
    labour, annotations
):
    good = switchgear("8538.90")
    good["bom"][1] = bought("8538.90", "25.00", origin="DE", code="DE-PART")
    good["direct_labour"] = labour

    result = run(good)

    # With cumulation: build-down (100.00 - 25.00) / 100.00 = 75 %. Without, every material
    # (65.00) is non-originating: build-down 35 %, build-up (0.00 + labour) / 100.00 is 20 %
    # (ACU) or 40 % (RVC40 holds without Japan).
    assert result.criterion == "RVC"
    assert result.annotations == annotations


def _acu_judged_in_full(result) -> bool:
    world, top = result.result, result.node
    return (
        top.has_cum
        and world.criterion in ("CTC", "RVC", "CR")
        and not _still_holds(world, top.world(cumulation=False))
    )


@SETTINGS
@given(goods())
def test_the_bound_never_disagrees_with_judging_everything_again(good):
    result = run(good)
    if result.originating is None:
        return
    with mock.patch.object(_Walk, "holds_at_worst", lambda self, top, declared: False):
        full = run(good)
    assert result.annotations == full.annotations
    assert ("ACU" in result.annotations) == _acu_judged_in_full(result)
    top = result.node
    if result.originating and top.has_cum and result._walk.holds_at_worst(top, result.result):
        assert _still_holds(result.result, top.world(cumulation=False))
