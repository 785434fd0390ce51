"""Odoo benchmark: evaluate 1,000 products with 50-line BOMs in one batch.

Run inside an Odoo shell on a database with rcep_origin installed (not part of the tests):

    bash scripts/odoo-tests.sh bench

Creates the products, components, supplier declarations and BOMs, then times
``rcep.origin.evaluation._rcep_evaluate_products`` and counts its SQL queries; everything is
rolled back at the end.
"""

import time
from datetime import date

PRODUCTS = 1000
LINES = 50
DAY = date(2026, 11, 20)

env = globals()["env"]  # the Odoo shell provides it
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
        "valid_from": date(2026, 1, 1),
        "valid_to": date(2026, 12, 31),
    }
)
goods = Product.create(
    [
        {
            "name": f"GOOD-{i}",
            "default_code": f"GOOD-{i}",
            "hs_code": "8538.90",
            "list_price": 100.0,
            "rcep_process_ids": [(6, 0, machining.ids)],
        }
        for i in range(PRODUCTS)
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
        for g, good in enumerate(goods)
    ]
)
env.flush_all()
env.invalidate_all()
templates = goods.product_tmpl_id
queries = env.cr.sql_log_count
start = time.perf_counter()
evaluations = env["rcep.origin.evaluation"]._rcep_evaluate_products(
    templates, env.ref("base.vn"), DAY
)
env.flush_all()
elapsed = time.perf_counter() - start
queries = env.cr.sql_log_count - queries
verdicts = {
    v: evaluations.filtered(lambda e, v=v: e.verdict == v)
    for v in set(evaluations.mapped("verdict"))
}
print(
    f"RESULT {PRODUCTS} products x {LINES} BOM lines: {elapsed:.1f} s "
    f"({elapsed / PRODUCTS * 1000:.1f} ms per product), {queries} SQL queries "
    f"({queries / PRODUCTS:.1f} per product); verdicts "
    + ", ".join(f"{k}: {len(v)}" for k, v in verdicts.items())
)
env.cr.rollback()
