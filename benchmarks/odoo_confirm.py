"""Odoo benchmark: confirming a 20-line order to Viet Nam whose products have 200-line BOMs.

Run in an Odoo shell, once on a database with rcep_origin and once on one without it (the
same modules otherwise): `bash scripts/odoo-tests.sh confirm-bench`. Prints the median time of
action_confirm over several orders; everything is rolled back.
"""

import statistics
import time

ORDERS, LINES, BOM_LINES = 9, 20, 200

env = globals()["env"]  # the Odoo shell provides it
has_rcep = "rcep.origin.evaluation" in env
env.company.country_id = env.ref("base.cn")
if has_rcep:
    env.company.write({"rcep_check_mode": "block", "rcep_customs_code": "3302961A27"})
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
Product = env["product.product"]
components = Product.create(
    [
        {
            "name": f"COMP-{i}",
            "hs_code": codes[i % len(codes)],
            "standard_price": 0.2,
            "country_of_origin": env.ref("base.de").id,
            "is_storable": True,
        }
        for i in range(400)
    ]
)
extra = {}
if has_rcep:
    extra["rcep_process_ids"] = [
        (6, 0, env["rcep.origin.process"].search([("code", "=", "cnc_machining")]).ids)
    ]
goods = Product.create(
    [
        {
            "name": f"GOOD-{i}",
            "hs_code": "8538.90",
            "list_price": 100.0,
            "is_storable": True,
            **extra,
        }
        for i in range(LINES)
    ]
)
env["mrp.bom"].create(
    [
        {
            "product_tmpl_id": good.product_tmpl_id.id,
            "product_qty": 1,
            "type": "normal",
            "bom_line_ids": [
                (0, 0, {"product_id": components[(g * 7 + j) % 400].id, "product_qty": 1})
                for j in range(BOM_LINES)
            ],
        }
        for g, good in enumerate(goods)
    ]
)
customer = env["res.partner"].create(
    {"name": "Saigon buyer", "city": "Ho Chi Minh City", "country_id": env.ref("base.vn").id}
)
times = []
for _ in range(ORDERS + 1):
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [
                (0, 0, {"product_id": g.id, "product_uom_qty": 10, "price_unit": 100.0})
                for g in goods
            ],
        }
    )
    env.flush_all()
    start = time.perf_counter()
    order.action_confirm()
    env.flush_all()
    times.append(time.perf_counter() - start)
median = statistics.median(times[1:]) * 1000  # the first one warms caches
print(
    f"RESULT {'with' if has_rcep else 'without'} rcep_origin: {LINES}-line order, "
    f"{BOM_LINES}-line BOMs: action_confirm median {median:.0f} ms over {ORDERS} orders"
)
env.cr.rollback()
