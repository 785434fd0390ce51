"""The salesperson sees how low the price of a good may go before it stops qualifying: the
nightly readiness job stores each monitored product's FOB floor (the lowest FOB at which it
still meets its RVC alternative), shown on the product and on the quotation's lines, with a
warning when a line's price falls below it. The line only reads what the job stored."""

from unittest.mock import patch

from odoo.tests import Form, tagged

from .common import RcepWorldCase


@tagged("post_install", "-at_install")
class TestFobFloor(RcepWorldCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a carrier machined around a German contact set (8538.90, like the good: CTH fails),
        # so only RVC40 can make it qualify: VNM 40.00 of FOB 100.00 is RVC 60 %
        cls.contact_set = cls.product(
            "CONTACT-SET-DE", "Contact set, German", "8538.90", standard_price=40.0,
            country_of_origin=cls.env.ref("base.de").id,
        )  # fmt: skip
        cls.rvc_carrier = cls.product(
            "SWC-640", "Contact carrier for 640 A switch", "8538.90", list_price=100.0,
            rcep_process_ids=cls.processes("cnc_machining", "assembly"),
        )  # fmt: skip
        cls.bom(cls.rvc_carrier, cls.contact_set)
        cls.template = cls.rvc_carrier.product_tmpl_id
        cls.template.rcep_monitor = True
        cls.env["product.template"]._cron_rcep_readiness()

    def test_the_product_shows_the_lowest_fob_at_which_it_still_qualifies(self):
        self.assertEqual(self.template.rcep_verdict, "originating")
        # build-down: FOB x (100 - 40) % >= VNM 40.00, so FOB >= 66.666..., to the cent up
        self.assertEqual(self.template.rcep_fob_floor, 66.67)
        self.assertEqual(self.template.rcep_fob_floor_rule, "RVC40")
        # the contact carrier meets CTH outright: its price does not matter, it has no floor
        self.good.product_tmpl_id.rcep_monitor = True
        self.env["product.template"]._cron_rcep_readiness()
        self.assertEqual(self.good.product_tmpl_id.rcep_verdict, "originating")
        self.assertFalse(self.good.product_tmpl_id.rcep_fob_floor)

    def test_a_quotation_below_the_floor_warns_the_salesperson(self):
        order = self.quotation(self.rvc_carrier, quantity=10, price=66.66)
        line = order.order_line
        self.assertRecordValues(
            line,
            [{"rcep_fob_floor": 66.67, "rcep_fob_unit": 66.66, "rcep_below_fob_floor": True}],
        )
        self.assertIn("[SWC-640]", order.rcep_fob_floor_alert)
        self.assertIn("RVC40", order.rcep_fob_floor_alert)
        # the salesperson raises the price to the floor, on the form: the warning goes
        with Form(order.with_user(self.salesman)) as form, form.order_line.edit(0) as edited:
            edited.price_unit = 66.67
        self.assertFalse(line.rcep_below_fob_floor)
        self.assertFalse(order.rcep_fob_floor_alert)

    def test_the_line_reads_the_stored_floor_and_runs_no_evaluation(self):
        Evaluation = type(self.env["rcep.origin.evaluation"])

        def no_engine(*args, **kwargs):
            raise AssertionError("the engine ran while the quotation was shown")

        with patch.object(Evaluation, "_rcep_run", no_engine):
            order = self.quotation(self.rvc_carrier, quantity=10, price=50.0)
            self.assertTrue(order.order_line.rcep_below_fob_floor)

    def test_the_floor_is_that_of_a_cif_price_less_its_freight(self):
        # sold CIF at 70.00 a unit with 60.00 freight and 20.00 insurance for 10: FOB 62.00
        order = self.quotation(self.rvc_carrier, quantity=10, price=70.0)
        order.write(
            {
                "incoterm": self.env.ref("account.incoterm_CIF").id,
                "rcep_freight": 60.0,
                "rcep_insurance": 20.0,
            }
        )
        self.assertAlmostEqual(order.order_line.rcep_fob_unit, 62.0)
        self.assertTrue(order.order_line.rcep_below_fob_floor)

    def test_an_order_not_shipped_under_rcep_has_no_floor(self):
        german = self.env["res.partner"].create(
            {"name": "Berlin Schaltanlagen AG", "country_id": self.env.ref("base.de").id}
        )
        order = self.quotation(self.rvc_carrier, quantity=10, price=50.0, partner=german)
        self.assertFalse(order.rcep_applicable)
        self.assertRecordValues(
            order.order_line, [{"rcep_fob_floor": 0.0, "rcep_below_fob_floor": False}]
        )
        self.assertFalse(order.rcep_fob_floor_alert)

    def test_the_floor_moves_when_a_material_costs_more(self):
        self.contact_set.standard_price = 48.0  # VNM 48.00: FOB >= 80.00
        self.template.rcep_readiness_checked_on = False  # as the next night
        self.env["product.template"]._cron_rcep_readiness()
        self.assertEqual(self.template.rcep_fob_floor, 80.0)
