"""A small RCEP world the addon's tests share, built once per class with ``Command`` on a
frozen day (20 November 2026):

- the company, a switchgear maker in Ningbo (China) with its customs registration code,
  selling FOB unless an order says otherwise (its default incoterm);
- a customer in Ho Chi Minh City (Viet Nam);
- a contact carrier (SWC-630, 8538.90) machined and assembled from a German brass bar and a
  Japanese silver contact bought from a vendor with a valid RCEP certificate: it qualifies
  (CTC, with cumulation);
- a busbar kit (BB-KIT-400) only cut and marked from German copper: it does not qualify
  (minimal operations);
- a salesperson and an RCEP manager.

The people's actions are helpers: the salesperson's quotation and confirmation (through the
form; ``SHIPPED`` is the transport of a booked shipment), the compliance officer's "Evaluate
RCEP origin" on a bill of materials, the job. A test module adds, with ``product`` and
``bom``, only the goods and people its story is about. The demo data
(``_rcep_load_demo``) is a product feature, checked by test_demo_data alone.

``RcepSingleWindowCase`` adds the customs Single Window: the strict mock, over real SOAP on a
loopback port, entered for each test with ``enterContext`` and stopped after it, and a
connector to it with its signing certificate pinned.
"""

import shutil
import socket
import tempfile
import threading
from datetime import date
from pathlib import Path
from types import MappingProxyType

from odoo import Command
from odoo.tests import Form, TransactionCase, freeze_time, new_test_user

from connectors.single_window.embedded import running

TODAY = "2026-11-20 09:00:00"
SHIPMENT = date(2026, 11, 20)  # the day the goods leave, unless a story says otherwise


@freeze_time(TODAY)
class RcepWorldCase(TransactionCase):
    # the transport of a booked shipment, as the salesperson fills it in (Other Info › RCEP origin)
    SHIPPED = MappingProxyType(
        {
            "rcep_vessel_or_flight": "KOTA LARIS V.612S",
            "rcep_port_of_loading": "Ningbo (CNNGB)",
            "rcep_port_of_discharge": "Ho Chi Minh City (VNSGN)",
        }
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.vietnam = env.ref("base.vn")
        cls.company.write(
            {
                "name": "Ningbo Switchgear Co., Ltd.",
                "street": "88 Zhongshan East Road",
                "city": "Ningbo",
                "zip": "315000",
                "country_id": env.ref("base.cn").id,
                "rcep_customs_code": "3302961A27",
                "incoterm_id": env.ref("account.incoterm_FOB").id,
                "rcep_check_mode": "block",
                "rcep_auto_submit": True,
            }
        )
        cls.customer = env["res.partner"].create(
            {
                "name": "Saigon Power Equipment JSC",
                "street": "12 Nguyen Van Linh",
                "city": "Ho Chi Minh City",
                "country_id": env.ref("base.vn").id,
            }
        )
        cls.salesman = new_test_user(
            env,
            "rcep_world_salesman",
            name="Lin Wei",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.rcep_manager = new_test_user(
            env,
            "rcep_world_manager",
            name="Zhou Min",
            groups="rcep_origin.group_rcep_manager,sales_team.group_sale_manager",
            company_id=cls.company.id,
        )
        cls.osaka = env["res.partner"].create(
            {"name": "Osaka Contacts KK", "country_id": env.ref("base.jp").id}
        )
        cls.hamburg = env["res.partner"].create(
            {"name": "Hamburg Metall GmbH", "country_id": env.ref("base.de").id}
        )
        germany = env.ref("base.de").id
        cls.brass = cls.product(
            "BRASS-BAR", "Brass bar 40 mm", "7407.21", standard_price=30.0,
            country_of_origin=germany,
            seller_ids=[Command.create({"partner_id": cls.hamburg.id, "price": 30.0})],
        )  # fmt: skip
        cls.contact = cls.product(
            "CONTACT-JP", "Silver contact, Japanese", "8538.90", standard_price=50.0,
            country_of_origin=env.ref("base.jp").id,
            seller_ids=[Command.create({"partner_id": cls.osaka.id, "price": 50.0})],
        )  # fmt: skip
        cls.copper = cls.product(
            "CU-BUSBAR", "Copper busbar 30x5", "7407.10", standard_price=6.0,
            country_of_origin=germany,
            seller_ids=[Command.create({"partner_id": cls.hamburg.id, "price": 6.0})],
        )  # fmt: skip
        cls.good = cls.product(
            "SWC-630", "Contact carrier for 630 A switch", "8538.90", list_price=100.0,
            rcep_process_ids=cls.processes("cnc_machining", "assembly"),
        )  # fmt: skip
        cls.busbar_kit = cls.product(
            "BB-KIT-400", "Busbar kit, cut and labelled", "8538.90", list_price=20.0,
            rcep_process_ids=cls.processes("cutting", "marking"),
        )  # fmt: skip
        cls.good_bom = cls.bom(cls.good, cls.brass, cls.contact)
        cls.busbar_kit_bom = cls.bom(cls.busbar_kit, cls.copper)
        cls.contact_certificate = env["rcep.origin.supplier.declaration"].create(
            {
                "name": "JP-RCEP-2026-118842",
                "partner_id": cls.osaka.id,
                "product_tmpl_ids": [Command.set(cls.contact.product_tmpl_id.ids)],
                "origin_country_id": env.ref("base.jp").id,
                "proof_type": "RCEP_CO",
                "valid_from": date(2026, 5, 4),
                "valid_to": date(2027, 5, 3),
            }
        )
        cls.contact_certificate.action_validate()

    @classmethod
    def product(cls, code, name, hs_code, **values):
        return cls.env["product.product"].create(
            {"name": name, "default_code": code, "hs_code": hs_code, "is_storable": True} | values
        )

    @classmethod
    def processes(cls, *codes):
        found = cls.env["rcep.origin.process"].search([("code", "in", codes)])
        return [Command.set(found.ids)]

    @classmethod
    def bom(cls, product, *components):
        return cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1,
                "type": "normal",
                "bom_line_ids": [
                    Command.create({"product_id": c.id, "product_qty": 1}) for c in components
                ],
            }
        )

    # --- what the people do -----------------------------------------------------------------

    def quotation(
        self, products=None, quantity=400, price=100.0, user=None, partner=None, **fields
    ):
        """The salesperson's quotation, for the Vietnamese customer unless another partner is
        given: a line of each product (``price=None``: at its sales price), then the order's
        fields given, as filled in on the form (e.g. Other Info › RCEP origin)."""
        order = Form(self.env["sale.order"].with_user(user or self.salesman))
        order.partner_id = partner or self.customer
        for product in products or self.good:
            with order.order_line.new() as line:
                line.product_id = product
                line.product_uom_qty = quantity
                if price is not None:
                    line.price_unit = price
        for field, value in fields.items():
            setattr(order, field, value)
        # vessel and ports are asked for, not enforced: a plain order is often confirmed
        # before the shipment is booked
        return order.save()

    def confirm_order(self, products=None, **fields):
        order = self.quotation(products, **fields)
        order.action_confirm()
        return order

    def evaluate(self, bom=None, day=SHIPMENT, user=None):
        """The compliance officer presses "Evaluate RCEP origin" on the bill of materials (of
        the contact carrier unless another is given) and asks for Viet Nam on that day."""
        bom = (bom or self.good_bom).with_user(user or self.env.user)
        opened = bom.action_rcep_evaluate()
        wizard = Form(bom.env[opened["res_model"]].with_context(opened["context"]))
        wizard.importing_country_id = self.vietnam
        wizard.date = day
        action = wizard.save().action_evaluate()
        return bom.env["rcep.origin.evaluation"].browse(action["res_id"])

    def mistyped_rule_and_carrier(self):  # -> (rule, contact set, carrier)
        """A rule row typed wrong here (RVC30, where Annex 3A says CTH or RVC40 for 8538.90),
        and a carrier machined from a German contact set entered at 65: our check passes it,
        the Single Window's own check rejects it (CRITERION_NOT_MET)."""
        rule = self.env["rcep.origin.psr"].create(
            {
                "hs_version": "HS2022",
                "level": "subheading",
                "code": "8538.90",
                "psr": "RVC30",
                "source_url": "http://ebookservicepro.com/showcase/DTN/02/files/basic-html/page197.html",
            }
        )
        contact = self.product(
            "CONTACT-DE", "Imported contact set", "8538.90", standard_price=65.0,
            country_of_origin=self.env.ref("base.de").id,
        )  # fmt: skip
        carrier = self.product(
            "SWC-800", "Machined contact carrier", "8538.90",
            rcep_process_ids=self.processes("cnc_machining"),
        )  # fmt: skip
        self.bom(carrier, contact)
        return rule, contact, carrier

    def run_job(self):
        """The job that runs right after confirmation and every quarter of an hour."""
        self.env["rcep.origin.declaration"]._cron_submit()


class RcepSingleWindowCase(RcepWorldCase):
    """The world with a loopback customs Single Window, for each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workdir = Path(tempfile.mkdtemp(prefix="rcep-odoo-test-"))
        cls.addClassCleanup(shutil.rmtree, cls.workdir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.addCleanup(self.assert_no_server_thread_left)  # runs after the server stopped
        self.endpoint, self.single_window = self.enterContext(
            running(self.workdir / self._testMethodName)
        )
        self.connector = self.env["rcep.origin.connector"].create(
            {"endpoint": self.endpoint, "username": "exporter", "password": "rcep-demo"}
        )
        self.connector.action_fetch_signing_certificate()

    def confirm_shipped_order(self, products=None, **values):
        """A confirmed order with its vessel and ports filled in."""
        return self.confirm_order(products, **(dict(self.SHIPPED) | values))

    def certificates(self, single_window=None):
        """How many certificates the Single Window issued."""
        service = (single_window or self.single_window).service
        return service._db().execute("SELECT count(*) FROM certificates").fetchone()[0]

    def assert_no_server_thread_left(self):
        """The Single Window stopped cleanly: none of its threads outlives the test."""
        left = [
            t.name
            for t in threading.enumerate()
            if t.is_alive() and (t.name.startswith("waitress-") or "(serve)" in t.name)
        ]
        self.assertFalse(left, "the test Single Window left threads running")

    @staticmethod
    def free_port():
        """A loopback port where nothing listens (a Single Window that is down)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]
