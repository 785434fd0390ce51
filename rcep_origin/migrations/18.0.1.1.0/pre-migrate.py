"""The products' RCEP status becomes per company (company-dependent, a JSON column keyed by
company): the single-company columns are dropped before the new ones are made; the status is
written again from each company's latest evaluations (post-migrate) and the lapse day by the
next nightly run (nothing is checked yet in the new columns)."""

COLUMNS = (
    "rcep_verdict",
    "rcep_verdict_since",
    "rcep_deciding_code",
    "rcep_lapses_on",
    "rcep_readiness_checked_on",
    "rcep_readiness_error",
)


def migrate(cr, version):
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'product_template' AND column_name IN %s
              AND data_type != 'jsonb'""",
        (COLUMNS,),
    )
    for (column,) in cr.fetchall():
        cr.execute(f'ALTER TABLE product_template DROP COLUMN "{column}"')  # names above
