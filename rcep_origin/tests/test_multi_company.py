"""A group with two factories: what one company's evaluation reads is that company's, whatever
company the user has open in Odoo."""

from datetime import date

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
