"""Art 3.6 footnote: an operation of (c) or (h) is minimal only when it is *simple* -- it needs
no special skills and no machines, apparatus or equipment especially produced or installed
for it.

A Chinese job shop makes contact carriers for switchgear (HS2022 8538.90, the HS2012 rule of
85.38 "CTH or RVC40" through the correlation) from German brass bar (7407.21, 30.00 of a
100.00 FOB). When it records what its machines really do -- precision grinding, wire-EDM or
laser cutting, press-brake bending -- the part is originating; when it records the simple
form of the same word ("cutting", "grinding"), it is minimal as before.
"""

from pathlib import Path

import pytest
from builders import bought, codes, issue, make_good, run

from rcep_rules.psr import RuleBook, read_rule_file
from rcep_rules.reference import Reference


def german_brass():
    return bought("7407.21", "30.00", origin="DE", code="BRASS")


def contact_carrier(processes):
    return make_good("8538.90", fob="100.00", bom=[german_brass()], processes=list(processes))


MACHINE_SHOP = [
    ["precision_grinding"],
    ["laser_cutting"],
    ["edm_cutting"],
    ["plasma_cutting"],
    ["waterjet_cutting"],
    ["cnc_bending"],
    ["turning", "drilling", "tapping"],
    ["milling", "broaching"],
    ["honing"],
    ["cnc_punching", "cnc_bending", "marking"],
]


@pytest.mark.parametrize("processes", MACHINE_SHOP, ids="+".join)
def test_a_machine_shops_own_processes_are_not_minimal(processes):
    result = run(contact_carrier(processes))

    # Not simple (a CNC grinder, an EDM wire, a press brake): the rule decides, and CTH
    # 74.07 -> 85.38 holds.
    assert "PROCESS_MINIMAL" not in codes(result)
    assert result.originating is True
    assert result.criterion == "CTC"


@pytest.mark.parametrize("simple", ["grinding", "cutting", "bending", "sharpening", "coiling"])
def test_the_simple_form_keeps_its_old_meaning_and_the_hint_names_the_machine_forms(simple):
    result = run(contact_carrier([simple]))

    minimal = issue(result, "PROCESS_MINIMAL")
    assert result.originating is False
    forms = Reference.load(()).processes.by_code[simple].machine_forms
    assert forms, simple
    assert f"e.g. {', '.join(forms)}" in minimal.hint
    assert "Art 3.6 footnote" in minimal.hint


def test_crushed_stone_aggregate_from_a_crushing_and_screening_plant_is_originating(tmp_path):
    # Published example: crushed stone aggregate (HS 2517.10) from quarried stone (25.16)
    # bought from outside RCEP, crushed and screened in an industrial plant. Rule loaded here
    # as a test row (chapter 25 is not bundled): CTH.
    reference = Reference.load(())
    path = Path(tmp_path) / "rules.csv"
    path.write_text(
        "hs_version,level,code,description,psr,legibility,source_url,locator\n"
        "HS2022,heading,25.17,Crushed stone,CTH,clear,test://aggregate,test row\n"
    )
    rows = [*reference.rules.rows.values(), *read_rule_file(path, reference.nomenclatures)]
    reference = Reference(
        reference.nomenclatures,
        reference.correlation,
        reference.parties,
        reference.processes,
        RuleBook(rows, reference.correlation),
    )
    stone = bought("2516.11", "20.00", origin="IN", code="GRANITE-BLOCK")
    plant = make_good("2517.10", fob="60.00", bom=[stone], processes=["crushing_screening"])
    by_hand = make_good("2517.10", fob="60.00", bom=[stone], processes=["sorting"])

    assert run(plant, reference).criterion == "CTC"
    assert "PROCESS_MINIMAL" in codes(run(by_hand, reference))


def test_an_unknown_process_code_is_process_unknown_alone():
    result = run(contact_carrier(["grinding_cnc"]))

    assert "PROCESS_UNKNOWN" in codes(result)
    assert "PROCESS_MINIMAL" not in codes(result)
    assert result.originating is None  # an error: the evaluation stops


def test_an_unknown_code_beside_a_minimal_one_is_not_called_only_minimal():
    result = run(contact_carrier(["cuting_laser", "cutting"]))

    assert "PROCESS_UNKNOWN" in codes(result)
    assert "PROCESS_MINIMAL" not in codes(result)


@pytest.mark.parametrize(
    "code",
    [
        "sintering",
        "extrusion",
        "pcb_fabrication",
        "optical_grinding",
        "optical_coating",
        "wire_drawing",
        "lens_assembly",
        "crushing_screening",
    ],
)
def test_chapter_84_85_90_producers_processes_are_in_the_vocabulary_and_not_minimal(code):
    process = Reference.load(()).processes.by_code[code]
    assert process.minimal is False
    assert process.name
