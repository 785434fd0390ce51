"""Odoo benchmark: the nightly readiness job over monitored products with 50-line BOMs.

Run inside an Odoo shell on a fresh database with rcep_origin installed (not part of the tests):

    bash scripts/odoo-tests.sh readiness-bench               # 1,000 products
    RCEP_BENCH_PRODUCTS=10000 bash scripts/odoo-tests.sh readiness-bench

Creates the products, components, supplier declarations (a fifth of the components proved,
their declarations ending within the look-ahead) and BOMs, marks the products monitored, then
times ``product.template._cron_rcep_readiness`` (the ir.cron path: batches committed one by
one) and counts its SQL queries and its CPU time in the Odoo process, as a first night (no
evaluation yet) without the look-ahead (0 days) and with the default 60 days, then as a night
that finds everything unchanged (the latest evaluations are kept). The database is a
throwaway one (the job commits).
"""

import os
import time
from datetime import timedelta

PRODUCTS = int(os.environ.get("RCEP_BENCH_PRODUCTS", "1000"))
LINES = 50

env = globals()["env"]  # the Odoo shell provides it
today = __import__("datetime").date.today()
env.company.country_id = env.ref("base.cn")
Product = env["product.product"]
machining = env["rcep.origin.process"].search([("code", "=", "cnc_machining")])
supplier = env["res.partner"].create({"name": "Bench supplier"})
codes = [
    "7407.21",
    "7320.20",
    "3907.40",
    "7318.15",
    "8542.31",
    "8532.24",
    "7326.90",
    "8504.40",
    "8544.42",
    "3926.90",
]
components = Product.create(
    [
        {
            "name": f"COMP-{i}",
            "default_code": f"COMP-{i}",
            "hs_code": codes[i % len(codes)],
            "standard_price": 0.5 + (i % 7) * 0.1,
            "country_of_origin": env.ref("base.de").id,
            "seller_ids": [(0, 0, {"partner_id": supplier.id, "price": 1.0})],
        }
        for i in range(200)
    ]
)
env["rcep.origin.supplier.declaration"].create(
    {
        "name": "SD-BENCH",
        "partner_id": supplier.id,
        "state": "valid",
        "product_tmpl_ids": [(6, 0, components[:40].product_tmpl_id.ids)],
        "origin_country_id": env.ref("base.cn").id,
        "valid_from": today - timedelta(days=300),
        "valid_to": today + timedelta(days=30),
    }
)
goods = env["product.product"]
for start in range(0, PRODUCTS, 1000):  # in chunks: bounded memory for 10,000
    chunk = Product.create(
        [
            {
                "name": f"GOOD-{i}",
                "default_code": f"GOOD-{i}",
                "hs_code": "8538.90",
                "list_price": 100.0,
                "rcep_process_ids": [(6, 0, machining.ids)],
                "rcep_monitor": True,
            }
            for i in range(start, min(start + 1000, PRODUCTS))
        ]
    )
    env["mrp.bom"].create(
        [
            {
                "product_tmpl_id": good.product_tmpl_id.id,
                "product_qty": 1,
                "type": "normal",
                "bom_line_ids": [
                    (0, 0, {"product_id": components[(g + j) % 200].id, "product_qty": 1})
                    for j in range(LINES)
                ],
            }
            for g, good in enumerate(chunk, start)
        ]
    )
    env.cr.commit()
    env.invalidate_all()
    goods |= chunk


def run(horizon, night):
    """One run of the job over every product. ``night``: "first" (no evaluation yet: each
    product gets a new one with its lines and issues) or "unchanged" (the same goods, rules
    and findings as the night before: the latest evaluation is kept and marked confirmed)."""
    env.company.rcep_readiness_horizon = horizon
    env.cr.execute("UPDATE product_template SET rcep_readiness_checked_on = NULL")
    if night == "first":
        env.cr.execute("DELETE FROM rcep_origin_evaluation")  # lines and issues cascade
    env.cr.commit()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start, cpu = time.perf_counter(), time.process_time()
    env["product.template"]._cron_rcep_readiness()
    env.flush_all()
    env.cr.commit()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    queries = env.cr.sql_log_count - queries
    company = str(env.company.id)
    env.cr.execute(
        "SELECT rcep_verdict->>%s, count(*), count(rcep_lapses_on->>%s),"
        " count(rcep_readiness_error->>%s), count(rcep_fob_floor->>%s)"
        " FROM product_template WHERE rcep_monitor GROUP BY 1 ORDER BY 1",
        (company, company, company, company),
    )
    found = ", ".join(
        f"{v}: {n} ({lapse} lapse, {err} failed, {floor} with a FOB floor)"
        for v, n, lapse, err, floor in env.cr.fetchall()
    )
    env.cr.execute("SELECT count(*) FROM rcep_origin_evaluation")
    evaluations = env.cr.fetchone()[0]
    print(
        f"RESULT {night} night, look-ahead {horizon} days, {PRODUCTS} products x {LINES} BOM "
        f"lines: {elapsed:.1f} s wall ({elapsed / PRODUCTS * 1000:.1f} ms per product), "
        f"{cpu:.1f} s CPU in Odoo, {queries} SQL queries ({queries / PRODUCTS:.2f} per "
        f"product); {evaluations} evaluations kept; {found}"
    )


run(0, "first")
run(60, "first")
run(60, "unchanged")
