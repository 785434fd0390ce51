"""Odoo benchmark: confirming a 20-line order to Viet Nam whose products have 200-line BOMs.

Run in an Odoo shell, once on a database with rcep_origin and once on one without it (the
same modules otherwise): `bash scripts/odoo-tests.sh confirm-bench`. Prints the median time of
action_confirm over several orders (wall and CPU time of this process, and its SQL queries);
everything is rolled back. With RCEP_BENCH_VENDORS=n in the environment, each component has
n vendors, each with a supplier declaration for three quarters of the components.
"""

import os
import statistics
import time
from datetime import date

ORDERS = int(os.environ.get("RCEP_BENCH_ORDERS", "15"))  # measured, after one to warm up
LINES, BOM_LINES = 20, 200
VENDORS = int(os.environ.get("RCEP_BENCH_VENDORS", "0"))

env = globals()["env"]  # the Odoo shell provides it
has_rcep = "rcep.origin.evaluation" in env
env.company.country_id = env.ref("base.cn")
env.company.incoterm_id = env.ref("account.incoterm_FOB")  # the factory sells FOB by default
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
vendors = env["res.partner"].create(
    [{"name": f"Vendor {v}", "is_company": True} for v in range(VENDORS)]
)
components = Product.create(
    [
        {
            "name": f"COMP-{i}",
            "hs_code": codes[i % len(codes)],
            "standard_price": 0.2,
            "country_of_origin": env.ref("base.de").id,
            "is_storable": True,
            "seller_ids": [(0, 0, {"partner_id": v.id, "price": 0.2}) for v in vendors],
        }
        for i in range(400)
    ]
)
if has_rcep:
    for vendor in vendors:
        env["rcep.origin.supplier.declaration"].create(
            {
                "name": f"SD-{vendor.name}",
                "partner_id": vendor.id,
                "state": "valid",
                "product_tmpl_ids": [(6, 0, components[:300].product_tmpl_id.ids)],
                "origin_country_id": env.ref("base.cn").id,
                "valid_from": date(2026, 1, 1),
                "valid_to": date(2027, 12, 31),
            }
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
times, cpu_times = [], []
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
    queries = env.cr.sql_log_count
    start, cpu = time.perf_counter(), time.process_time()
    order.action_confirm()
    env.flush_all()
    times.append(time.perf_counter() - start)
    cpu_times.append(time.process_time() - cpu)
    queries = env.cr.sql_log_count - queries
median = statistics.median(times[1:]) * 1000  # the first one warms caches
cpu = statistics.median(cpu_times[1:]) * 1000
print(
    f"RESULT {'with' if has_rcep else 'without'} rcep_origin: {LINES}-line order, "
    f"{BOM_LINES}-line BOMs, {VENDORS} vendors per component: action_confirm median "
    f"{median:.0f} ms (CPU {cpu:.0f} ms) over {ORDERS} orders, {queries} SQL queries"
)
env.cr.rollback()
