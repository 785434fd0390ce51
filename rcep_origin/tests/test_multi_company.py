"""A group with two factories: what one company's evaluation reads is that company's, whatever
company the user has open in Odoo."""

from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import RcepWorldCase


class TestTwoFactories(RcepWorldCase):
    def test_the_second_factorys_goods_are_costed_at_its_own_prices(self):
        suzhou = self.env["res.company"].create(
            {
                "name": "Suzhou Switchgear Works",
                "country_id": self.env.ref("base.cn").id,
                "currency_id": self.company.currency_id.id,
            }
        )
        # the brass bar costs the Suzhou works ten times what it costs Ningbo
        self.brass.with_company(suzhou).standard_price = 300.0
        bom = self.env["mrp.bom"]._bom_find(self.good)[self.good]
        # a user with Ningbo open evaluates for Suzhou (an order of Suzhou's, say)
        tree = bom.with_company(self.company)._rcep_tree(suzhou, date(2026, 11, 20))
        self.assertEqual(tree.bought(self.brass.id)["unit_cost"], repr(300.0))
        ningbo = bom._rcep_tree(self.company, date(2026, 11, 20))
        self.assertEqual(ningbo.bought(self.brass.id)["unit_cost"], repr(30.0))


@tagged("post_install", "-at_install")
class TestReadinessPerFactory(RcepWorldCase):
    """The contact carrier is made by both factories from the same parts, but each buys the
    Japanese contact on its own certificate: Ningbo's runs to 3 May 2027, Suzhou's to
    10 January 2027. Each factory's readiness is its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.suzhou = env["res.company"].create(
            {
                "name": "Suzhou Switchgear Works",
                "country_id": env.ref("base.cn").id,
                "currency_id": cls.company.currency_id.id,
                "rcep_readiness_horizon": 200,
            }
        )
        cls.company.rcep_readiness_horizon = 200
        for product, cost in ((cls.brass, 30.0), (cls.contact, 50.0)):
            product.with_company(cls.suzhou).standard_price = cost
        env["product.supplierinfo"].create(
            {
                "partner_id": cls.osaka.id,
                "product_tmpl_id": cls.contact.product_tmpl_id.id,
                "company_id": cls.suzhou.id,
                "price": 50.0,
            }
        )
        certificate = (
            env["rcep.origin.supplier.declaration"]
            .with_company(cls.suzhou)
            .create(
                {
                    "name": "JP-RCEP-2026-200117",
                    "company_id": cls.suzhou.id,
                    "partner_id": cls.osaka.id,
                    "product_tmpl_ids": [Command.set(cls.contact.product_tmpl_id.ids)],
                    "origin_country_id": env.ref("base.jp").id,
                    "proof_type": "RCEP_CO",
                    "valid_from": date(2026, 1, 11),
                    "valid_to": date(2027, 1, 10),
                }
            )
        )
        certificate.action_validate()
        bom = cls.bom(cls.good, cls.brass, cls.contact)  # Suzhou's own bill of materials
        bom.company_id = cls.suzhou
        cls.carrier = cls.good.product_tmpl_id  # shared by both companies
        cls.carrier.rcep_monitor = True

    def test_each_factory_sees_its_own_lapse_day(self):
        self.env["product.template"]._cron_rcep_readiness()
        ningbo = self.carrier.with_company(self.company)
        suzhou = self.carrier.with_company(self.suzhou)
        self.assertEqual(
            (ningbo.rcep_verdict, ningbo.rcep_lapses_on), ("originating", date(2027, 5, 4))
        )
        self.assertEqual(
            (suzhou.rcep_verdict, suzhou.rcep_lapses_on), ("originating", date(2027, 1, 11))
        )
        self.assertEqual(ningbo.rcep_last_evaluation_id.company_id, self.company)
        self.assertEqual(suzhou.rcep_last_evaluation_id.company_id, self.suzhou)
        # the dashboard has a row for each factory, each with its own lapse
        rows = self.env["rcep.readiness.report"].search(
            [("product_tmpl_id", "=", self.carrier.id)], order="company_id"
        )
        self.assertEqual(
            {(r.company_id, r.lapses_on) for r in rows},
            {(self.company, date(2027, 5, 4)), (self.suzhou, date(2027, 1, 11))},
        )

    def test_when_suzhous_certificate_ends_only_suzhou_stops_qualifying(self):
        self.env["product.template"]._cron_rcep_readiness()
        with freeze_time("2027-01-11 09:00:00"):
            self.env["product.template"]._cron_rcep_readiness()
            self.assertEqual(self.carrier.with_company(self.suzhou).rcep_verdict, "not_originating")
            self.assertEqual(
                self.carrier.with_company(self.suzhou).rcep_verdict_since, date(2027, 1, 11)
            )
            ningbo = self.carrier.with_company(self.company)
            self.assertEqual(ningbo.rcep_verdict, "originating")
            self.assertEqual(ningbo.rcep_verdict_since, date(2026, 11, 20))
            self.assertEqual(ningbo.rcep_lapses_on, date(2027, 5, 4))

    def test_a_lapse_in_suzhou_flags_suzhous_orders_only(self):
        self.company.rcep_readiness_horizon = 30  # Ningbo's certificate runs to May: no lapse
        ningbo_quotation = self.quotation()
        suzhou_quotation = (
            self.env["sale.order"]
            .with_company(self.suzhou)
            .create(
                {
                    "company_id": self.suzhou.id,
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.good.id, "product_uom_qty": 10, "price_unit": 100}
                        )
                    ],
                }
            )
        )
        self.assertTrue(suzhou_quotation.rcep_applicable)
        self.env["product.template"]._cron_rcep_readiness()
        self.assertFalse(self.carrier.with_company(self.company).rcep_lapses_on)
        self.assertEqual(self.carrier.with_company(self.suzhou).rcep_lapses_on, date(2027, 1, 11))
        self.assertIn("2027", suzhou_quotation.rcep_readiness_alert)
        self.assertFalse(ningbo_quotation.rcep_readiness_alert)
        self.assertEqual(
            self.carrier.with_company(self.suzhou).rcep_affected_order_ids, suzhou_quotation
        )
