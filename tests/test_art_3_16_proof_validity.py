"""Art 3.16: a proof of origin is valid for one year from its date of issue; a material is
originating only with a proof valid on the shipment date.

The Chinese appliance maker (HS2022 8509.80, "CTSH or RVC40") ships on 2026-11-20. Its base
unit, of the mixer's own subheading 8509.80, is worth 70.00 of the 100.00 FOB; the only other
material is a German motor (8501.40, 10.00). So the proof on the base unit decides everything:

    base originating:      CTSH holds (only the motor, 8501.40 -> 8509.80, is tested)  -> CTC
    base non-originating:  CTSH fails (70 % of FOB > 10 %) and
                           build-down (100.00 - 80.00) / 100.00 x 100 = 20.00 % < 40 %  -> none
"""

from builders import bought, codes, issue, make_good, proof, run


def mixer(base_proof, origin="CN"):
    return make_good(
        "8509.80",
        fob="100.00",
        bom=[
            bought("8509.80", "70.00", origin=origin, code="BASE", with_proof=base_proof),
            bought("8501.40", "10.00", origin="DE", code="MOTOR"),
        ],
    )


def base(result):
    return next(m for m in result.as_dict()["materials"] if m["code"] == "BASE")


def declaration(valid_until=None, issue_date=None):
    return proof("SUPPLIER_DECLARATION", "SD-2026-77", valid_until, issue_date)


def test_a_supplier_declaration_valid_until_the_shipment_date_still_counts():
    result = run(mixer(declaration(valid_until="2026-11-20")))

    # valid_until is inclusive: 2026-11-20 <= 2026-11-20.
    assert base(result)["originating"] is True
    assert "ORIGIN_PROOF_EXPIRED" not in codes(result)
    assert result.criterion == "CTC"
    assert result.exit_code == 0


def test_a_supplier_declaration_that_ran_out_the_day_before_shipment_no_longer_counts():
    result = run(mixer(declaration(valid_until="2026-11-19")))

    expired = issue(result, "ORIGIN_PROOF_EXPIRED")
    assert expired.severity == "warning"
    assert expired.path == "good.bom[0]"
    assert "expired (valid until 2026-11-19)" in expired.message
    assert "2026-11-20" in expired.message
    assert base(result)["originating"] is False
    assert result.originating is False
    assert result.satisfied == ()
    assert result.as_dict()["rvc"]["build_down"] == "20.00"
    assert result.exit_code == 1


def test_a_proof_without_valid_until_is_valid_one_year_from_its_issue_date():
    result = run(mixer(declaration(issue_date="2025-11-20")))

    # Art 3.16.6: issued 2025-11-20 + one year = valid through 2026-11-20, the shipment date.
    assert base(result)["originating"] is True
    assert "valid until 2026-11-20" in base(result)["reason"]
    assert result.criterion == "CTC"


def test_a_proof_issued_a_year_and_a_day_before_shipment_has_expired():
    result = run(mixer(declaration(issue_date="2025-11-19")))

    # Issued 2025-11-19 + one year = valid through 2026-11-19 < 2026-11-20.
    assert "expired (valid until 2026-11-19)" in issue(result, "ORIGIN_PROOF_EXPIRED").message
    assert base(result)["originating"] is False
    assert result.originating is False


def test_a_proof_issued_after_the_shipment_date_is_not_yet_valid():
    result = run(mixer(declaration(valid_until="2027-11-21", issue_date="2026-11-21")))

    not_yet = issue(result, "ORIGIN_PROOF_EXPIRED")
    assert "not yet valid (issued 2026-11-21)" in not_yet.message
    assert base(result)["originating"] is False
    assert result.originating is False


def test_a_proof_with_neither_valid_until_nor_issue_date_cannot_make_the_base_originating():
    result = run(mixer(declaration()))

    invalid = issue(result, "ORIGIN_PROOF_INVALID")
    assert invalid.path == "good.bom[0]"
    assert "neither valid_until nor issue_date" in invalid.message
    assert base(result)["originating"] is False
    assert result.originating is False


def test_an_expired_japanese_certificate_gives_no_cumulation():
    result = run(mixer(proof("RCEP_CO", "JP-2025-9", valid_until="2026-10-31"), origin="JP"))

    # Art 3.4 needs an originating material, and originating needs a valid proof.
    assert "ORIGIN_PROOF_EXPIRED" in codes(result)
    assert base(result)["originating"] is False
    assert "non-originating" in base(result)["reason"]
    assert "cumulation" not in base(result)["reason"]
    assert result.originating is False
    assert result.annotations == ()


def test_a_certificate_issued_on_29_february_still_counts_a_year_later_on_28_february():
    certificate = proof("RCEP_CO", "JP-LEAP", valid_until=None, issue_date="2024-02-29")

    result = run(mixer(certificate, origin="JP"), date="2025-02-28")

    # 2025 has no 29 February; one year from 2024-02-29 runs at least through 2025-02-28.
    assert base(result)["originating"] is True
    assert result.criterion == "CTC"
    assert result.annotations == ("ACU",)  # the Japanese base alone makes CTSH hold


def test_a_certificate_cannot_be_valid_longer_than_one_year_from_its_issue():
    # A Korean certificate issued 2025-10-01 that says "valid until 2027-01-31": Art 3.16.6
    # limits it to 2026-10-01, before the 2026-11-20 shipment.
    certificate = proof("RCEP_CO", "KR-2025-1", valid_until="2027-01-31", issue_date="2025-10-01")
    result = run(mixer(certificate, origin="KR"))

    assert base(result)["originating"] is False
    assert "valid until 2026-10-01" in issue(result, "ORIGIN_PROOF_EXPIRED").message


def test_a_long_term_supplier_declaration_keeps_its_own_validity():
    # A domestic supplier declaration is not an RCEP proof of origin: its own date holds.
    result = run(mixer(declaration(valid_until="2027-01-31", issue_date="2025-10-01")))

    assert base(result)["originating"] is True
