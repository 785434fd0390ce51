from datetime import date

from odoo import api, fields, models


class RcepOriginEvaluation(models.Model):
    _inherit = "rcep.origin.evaluation"

    @api.model
    def _rcep_load_demo(self):
        """A small switchgear factory in Ningbo whose goods show every verdict: originating by
        CTC with cumulation, not originating (minimal operations), and not evaluated (no
        rule loaded for a chapter-84 part). Loaded with the demo data; used by the tests."""
        env = self.env
        company = env.company
        company.country_id = env.ref("base.cn")
        if not company.incoterm_id:  # the factory sells FOB Ningbo unless an order says else
            company.incoterm_id = env.ref("account.incoterm_FOB")
        process = env["rcep.origin.process"]

        def processes(*codes):
            return [(6, 0, process.search([("code", "in", codes)]).ids)]

        japan = env["res.partner"].create(
            {"name": "Osaka Contacts KK", "country_id": env.ref("base.jp").id}
        )

        def product(code, name, hs, **values):
            return env["product.product"].create(
                {"name": name, "default_code": code, "hs_code": hs, "is_storable": True, **values}
            )

        brass = product(
            "BRASS-BAR",
            "Brass bar 40 mm",
            "7407.21",
            standard_price=30.0,
            country_of_origin=env.ref("base.de").id,
        )
        contact = product(
            "CONTACT-JP",
            "Silver contact, Japanese",
            "8538.90",
            standard_price=50.0,
            country_of_origin=env.ref("base.jp").id,
            seller_ids=[(0, 0, {"partner_id": japan.id, "price": 50.0})],
        )
        copper = product(
            "CU-BUSBAR",
            "Copper busbar 30x5",
            "7407.10",
            standard_price=6.0,
            country_of_origin=env.ref("base.de").id,
        )
        casting = product(
            "HOUSING-CAST",
            "Cast housing blank",
            "7325.10",
            standard_price=60.0,
            country_of_origin=env.ref("base.de").id,
        )
        goods = {
            "SWC-630": (
                product(
                    "SWC-630",
                    "Contact carrier for 630 A switch",
                    "8538.90",
                    list_price=100.0,
                    rcep_process_ids=processes("cnc_machining", "assembly"),
                ),
                [brass, contact],
            ),
            "BB-KIT-400": (
                product(
                    "BB-KIT-400",
                    "Busbar kit, cut and labelled",
                    "8538.90",
                    list_price=20.0,
                    rcep_process_ids=processes("cutting", "marking"),
                ),
                [copper],
            ),
            "SPH-BT40": (
                product(
                    "SPH-BT40",
                    "Spindle housing for BT40 machining centres",
                    "8466.93",
                    list_price=380.0,
                    rcep_process_ids=processes("casting", "cnc_machining"),
                ),
                [casting],
            ),
        }
        for good, components in goods.values():
            env["mrp.bom"].create(
                {
                    "product_tmpl_id": good.product_tmpl_id.id,
                    "product_qty": 1,
                    "type": "normal",
                    "bom_line_ids": [
                        (0, 0, {"product_id": c.id, "product_qty": 1}) for c in components
                    ],
                }
            )
        declaration = env["rcep.origin.supplier.declaration"].create(
            {
                "name": "JP-RCEP-2026-118842",
                "partner_id": japan.id,
                "product_tmpl_ids": [(6, 0, contact.product_tmpl_id.ids)],
                "origin_country_id": env.ref("base.jp").id,
                "proof_type": "RCEP_CO",
                "valid_from": date(2026, 5, 4),
                "valid_to": date(2027, 5, 3),
            }
        )
        declaration.action_validate()
        templates = env["product.template"].union(*(g.product_tmpl_id for g, _ in goods.values()))
        day = fields.Date.to_date("2026-11-20")
        return self._rcep_evaluate_products(templates, env.ref("base.vn"), day)
