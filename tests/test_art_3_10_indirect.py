"""Art 3.10: indirect materials -- fuel and energy, tools and dies, spare parts to maintain
equipment, lubricants, gloves, test equipment, catalysts -- are treated as originating wherever
they come from.

The Chinese appliance maker (HS2022 8509.80, "CTSH or RVC40") lists the electricity, the
lubricant and the maintenance spares it uses on its bill of materials with role "indirect":
they need no HS code, no country of origin and no proof, and they raise no origin warning.
"""

from builders import bought, codes, make_good, proof, run

ORIGIN_WARNINGS = {"ORIGIN_UNKNOWN", "ORIGIN_PROOF_MISSING", "ORIGIN_PROOF_EXPIRED",
                   "ORIGIN_PROOF_INVALID"}  # fmt: skip


def material(result, code):
    return next(m for m in result.as_dict()["materials"] if m["code"] == code)


def german_base():
    """Non-originating and of the mixer's own subheading: CTSH fails, so RVC decides."""
    return bought("8509.80", "55.00", origin="DE", code="BASE")


def test_electricity_used_in_the_factory_needs_no_hs_code_no_origin_and_no_proof():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            bought("8501.40", "40.00", origin="DE", code="MOTOR"),
            bought(None, "4.00", code="POWER", role="indirect"),
        ],
    )

    result = run(good)
    power = material(result, "POWER")

    assert power["originating"] is True
    assert "indirect" in power["reason"] and "Art 3.10" in power["reason"]
    assert "HS_MISSING" not in codes(result)
    assert not codes(result) & ORIGIN_WARNINGS
    assert result.errors == ()
    assert result.criterion == "CTC"
    assert result.exit_code == 0


def test_a_german_lubricant_used_as_indirect_material_counts_as_originating_value_for_rvc():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            german_base(),
            bought("2710.19", "8.00", origin="DE", code="LUBRICANT", role="indirect"),
        ],
    )

    result = run(good)
    rvc = result.as_dict()["rvc"]

    # Indirect = originating: VNM 55.00 only; build-down (100.00 - 55.00) / 100.00 = 45.00 %.
    # Had the German lubricant counted as non-originating: (100.00 - 63.00) / 100.00 = 37.00 %.
    assert rvc["vnm"] == "55.00"
    assert rvc["vom"] == "8.00"
    assert rvc["build_down"] == "45.00"
    assert result.criterion == "RVC"
    assert not codes(result) & ORIGIN_WARNINGS  # Germany is no RCEP Party, yet no warning


def test_a_german_maintenance_spare_of_the_goods_own_heading_does_not_break_the_change_of_heading():
    # A switchgear part (HS2022 8538.90, HS2012 rule 85.38 "CTH or RVC40"); the plant keeps
    # its own switch cabinet running with a German spare contact, also 8538.90 (Art 3.10(c)).
    good = make_good(
        "8538.90",
        fob="100.00",
        bom=[
            bought("7407.21", "30.00", origin="DE", code="BRASS"),
            bought("8538.90", "15.00", origin="DE", code="CABINET-SPARE", role="indirect"),
        ],
    )

    result = run(good)

    # Only non-originating materials are tested for CTH: the spare is originating, so CTH holds
    # strictly (no de minimis was needed for its 15 % of FOB).
    assert result.criterion == "CTC"
    assert result.annotations == ()
    assert material(result, "CABINET-SPARE")["ctc"] == "n/a"
    assert material(result, "BRASS")["ctc"] == "pass"


def test_a_mixer_of_originating_parts_made_with_imported_energy_and_gloves_is_still_pe():
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            bought(
                "8501.40",
                "40.00",
                origin="CN",
                code="MOTOR",
                with_proof=proof("SUPPLIER_DECLARATION", "SD-5"),
            ),
            bought(None, "3.00", code="POWER", role="indirect"),
            bought("6116.10", "0.50", origin="MY", code="GLOVES", role="indirect"),
        ],
    )

    result = run(good)

    # Art 3.10: indirect materials are originating, so every material is: PE (Art 3.2(b)).
    assert result.criterion == "PE"
    assert result.annotations == ()  # indirect materials are not cumulation either
    assert material(result, "GLOVES")["originating"] is True
    assert not codes(result) & ORIGIN_WARNINGS


def test_an_indirect_die_needs_no_proof_even_when_one_is_attached_and_it_is_expired():
    expired = proof("RCEP_CO", "KR-OLD", valid_until="2025-01-31")
    good = make_good(
        "8509.80",
        fob="100.00",
        bom=[
            german_base(),
            bought(
                "8207.30", "10.00", origin="KR", code="DIE", role="indirect", with_proof=expired
            ),
        ],
    )

    result = run(good)

    # The die is originating because it is indirect (Art 3.10), not because of its paper.
    # VNM 55.00: (100.00 - 55.00) / 100.00 x 100 = 45.00 % -> RVC40 met, with no ACU.
    assert material(result, "DIE")["originating"] is True
    assert "ORIGIN_PROOF_EXPIRED" not in codes(result)
    assert result.criterion == "RVC"
    assert result.annotations == ()
