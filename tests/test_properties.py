"""Properties every evaluation must have, whatever the bill of materials (hypothesis)."""

import copy
from decimal import Decimal

from builders import make_good, proof, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GOODS = ["8538.90", "8518.40", "8517.61", "8540.71"]  # CTH or RVC40 / CTSH or RVC40 rules
MATERIAL_HS = [
    "8538.90",
    "8536.90",
    "8518.40",
    "8518.90",
    "8517.61",
    "8517.79",
    "8540.71",
    "8540.91",
    "7407.21",
    "7320.20",
    "3907.40",
    "8542.31",
    "8504.40",
    "7326.90",
]
ORIGINS = [
    ("DE", None),
    ("US", None),
    ("KR", None),  # an RCEP Party, but no proof
    ("JP", proof("RCEP_CO", "JP-1", "2027-06-30")),  # cumulation
    ("CN", proof("SUPPLIER_DECLARATION", "CN-1", "2027-06-30")),
]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2)


@st.composite
def bought_lines(draw):
    origin, prf = draw(st.sampled_from(ORIGINS))
    line = {
        "code": f"B{draw(st.integers(0, 10**6))}",
        "hs_code": draw(st.sampled_from(MATERIAL_HS)),
        "quantity": draw(st.integers(1, 4)),
        "unit_cost": str(draw(money)),
        "origin_country": origin,
        "role": draw(st.sampled_from(["material"] * 6 + ["packing", "accessory", "indirect"])),
    }
    if prf:
        line["proof"] = prf
    return line


@st.composite
def bom_lines(draw, depth=0):
    lines = draw(st.lists(bought_lines(), min_size=1, max_size=5))
    if depth < 2 and draw(st.booleans()):
        sub = {
            "code": f"S{draw(st.integers(0, 10**6))}",
            "hs_code": draw(st.sampled_from(MATERIAL_HS)),
            "quantity": draw(st.integers(1, 3)),
            "processes": [draw(st.sampled_from(["assembly", "winding", "cutting"]))],
            "bom": draw(bom_lines(depth + 1)),
        }
        lines.insert(draw(st.integers(0, len(lines))), sub)
    return lines


@st.composite
def goods(draw):
    bom = draw(bom_lines())
    fob = draw(st.decimals(min_value=Decimal("10"), max_value=Decimal("2000"), places=2))
    good = make_good(
        draw(st.sampled_from(GOODS)),
        fob=str(fob),
        bom=bom,
        processes=[draw(st.sampled_from(["cnc_machining", "assembly", "marking"]))],
    )
    return good


def verdict(result):
    d = result.as_dict()
    return (d["originating"], d["criterion"], d["satisfied"], d["annotations"], d["rvc"])


def _reverse_boms(line):
    line = copy.deepcopy(line)
    if "bom" in line:
        line["bom"] = [_reverse_boms(m) for m in reversed(line["bom"])]
    return line


def _lines(good):
    """Every bought line of the good, at every level."""
    for line in good.get("bom", []):
        if "bom" in line:
            yield from _lines(line)
        else:
            yield line


@SETTINGS
@given(goods())
def test_the_order_of_bom_lines_does_not_change_the_verdict(good):
    assert verdict(run(good)) == verdict(run(_reverse_boms(good)))


@SETTINGS
@given(goods(), st.data())
def test_proving_a_material_originating_never_makes_an_originating_good_non_originating(good, data):
    before = run(good)
    candidates = [m for m in _lines(good) if m.get("role") != "indirect" and "proof" not in m]
    if before.originating is not True or not candidates:
        return
    improved = copy.deepcopy(good)
    target = data.draw(st.sampled_from(range(len(candidates))))
    line = [m for m in _lines(improved) if m.get("role") != "indirect" and "proof" not in m][target]
    line["origin_country"] = "CN"
    line["proof"] = proof("SUPPLIER_DECLARATION", "CN-2", "2027-06-30")
    assert run(improved).originating is True


@SETTINGS
@given(
    st.decimals(min_value=Decimal("1.00"), max_value=Decimal("90.00"), places=2),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9.00"), places=2),
)
def test_build_down_rvc_falls_as_non_originating_value_rises(vnm, extra):
    def rvc(cost):
        good = make_good(
            "8538.90",
            fob="100.00",
            bom=[
                {
                    "code": "X",
                    "hs_code": "7407.21",
                    "quantity": 1,
                    "unit_cost": str(cost),
                    "origin_country": "DE",
                }
            ],
        )
        return Decimal(run(good).as_dict()["rvc"]["build_down"])

    assert rvc(vnm + extra) < rvc(vnm)


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=Decimal("10.00"), max_value=Decimal("100000.00"), places=2),
    st.decimals(min_value=Decimal("0.40"), max_value=Decimal("0.80"), places=4),
)
def test_the_rvc40_threshold_is_compared_exactly(fob, share):
    # The only non-originating material is in the good's own heading, so CTH fails (it is
    # far above de minimis) and RVC alone decides: originating iff (FOB - VNM) / FOB >= 40 %.
    vnm = (fob * share).quantize(Decimal("0.01"))
    good = make_good(
        "8538.90",
        fob=str(fob),
        bom=[
            {
                "code": "SAME-HEADING",
                "hs_code": "8538.90",
                "quantity": 1,
                "unit_cost": str(vnm),
                "origin_country": "DE",
            }
        ],
    )
    result = run(good)
    assert result.originating is ((fob - vnm) * 100 >= 40 * fob)
    shown = Decimal(result.as_dict()["rvc"]["build_down"])
    assert shown <= (fob - vnm) * 100 / fob < shown + Decimal("0.01")  # toward zero
