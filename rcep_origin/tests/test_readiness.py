"""The RCEP manager keeps the products sold under RCEP ready: each night they are evaluated
again, today and 60 days ahead (Readiness); a product that stops qualifying says why in its
chatter, and the orders and declarations that rely on it are flagged."""

from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.addons.rcep_origin.models import product_readiness
from odoo.tests import freeze_time, tagged

from .common import RcepWorldCase


@tagged("post_install", "-at_install")
class TestReadiness(RcepWorldCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carrier = cls.good.product_tmpl_id
        cls.kit = cls.busbar_kit.product_tmpl_id

    def nightly_job(self):
        self.env["product.template"]._cron_rcep_readiness()

    def manager_activities(self, record):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("user_id", "in", self.env.ref("rcep_origin.group_rcep_manager").users.ids),
            ]
        )

    def last_note(self, template):
        return template.message_ids.sorted("id")[-1:].body or ""

    # --- monitored products ----------------------------------------------------------------

    def test_products_sold_on_an_rcep_order_are_monitored(self):
        self.assertFalse(self.carrier.rcep_monitor)
        self.confirm_order()
        self.assertTrue(self.carrier.rcep_monitor)
        # the status is the latest evaluation's, and stored: the dashboard groups on it
        self.assertEqual(self.carrier.rcep_verdict, "originating")
        self.assertIn(
            self.carrier,
            self.env["product.template"].search([("rcep_verdict", "=", "originating")]),
        )

    def test_products_can_be_monitored_in_bulk(self):
        action = self.env.ref("rcep_origin.action_rcep_monitor")
        (self.carrier | self.kit).invalidate_recordset()
        action.with_context(
            active_model="product.template", active_ids=[self.carrier.id, self.kit.id]
        ).run()
        self.assertTrue(self.carrier.rcep_monitor and self.kit.rcep_monitor)

    # --- the nightly job ---------------------------------------------------------------------

    def test_the_nightly_job_evaluates_monitored_products_and_finds_when_they_lapse(self):
        (self.carrier | self.kit).rcep_monitor = True
        self.company.rcep_readiness_horizon = 200  # the Japanese certificate ends on 3 May 2027
        self.nightly_job()
        self.assertEqual(self.carrier.rcep_verdict, "originating")
        self.assertEqual(self.carrier.rcep_lapses_on, date(2027, 5, 4))
        self.assertEqual(self.carrier.rcep_verdict_since, date(2026, 11, 20))
        self.assertEqual(self.carrier.rcep_readiness_checked_on, date(2026, 11, 20))
        self.assertEqual(self.kit.rcep_verdict, "not_originating")
        self.assertEqual(self.kit.rcep_deciding_code, "PROCESS_MINIMAL")
        self.assertFalse(self.kit.rcep_lapses_on)
        # the evaluation is the one the Evaluate dialog makes: sales price, an ASEAN Party
        evaluation = self.carrier.rcep_last_evaluation_id
        self.assertEqual(evaluation.fob, 100.0)
        self.assertTrue(evaluation.importing_country_id.rcep_asean)
        self.assertEqual(
            {line.product_id: line.origin_country_id for line in evaluation.line_ids},
            {self.brass: self.env.ref("base.de"), self.contact: self.env.ref("base.jp")},
        )
        self.assertIn("2027", self.last_note(self.carrier))
        self.assertTrue(
            self.manager_activities(self.carrier), "the lapse is the manager's to act on"
        )
        self.assertFalse(self.manager_activities(self.kit), "it never qualified: nothing new")

    def test_within_the_default_look_ahead_nothing_lapses_and_a_second_run_is_quiet(self):
        self.carrier.rcep_monitor = True
        self.nightly_job()
        self.assertEqual(self.company.rcep_readiness_horizon, 60)
        self.assertFalse(self.carrier.rcep_lapses_on)
        notes = len(self.carrier.message_ids)
        with freeze_time("2026-11-21 09:00:00"):
            self.nightly_job()
        self.assertEqual(self.carrier.rcep_readiness_checked_on, date(2026, 11, 21))
        self.assertEqual(len(self.carrier.message_ids), notes, "nothing changed: no note")
        self.assertEqual(self.carrier.rcep_verdict_since, date(2026, 11, 20))

    def test_a_night_that_finds_the_same_keeps_the_evaluation_it_had(self):
        self.carrier.rcep_monitor = True
        self.nightly_job()
        first = self.carrier.rcep_last_evaluation_id
        self.assertEqual(first.date, date(2026, 11, 20))
        with freeze_time("2026-11-21 09:00:00"):
            self.nightly_job()
        # same goods file but its date, same rules and engine, same findings: kept, confirmed
        self.assertEqual(self.carrier.rcep_evaluation_count, 1)
        self.assertEqual(self.carrier.rcep_last_evaluation_id, first)
        self.assertEqual(first.confirmed_on, date(2026, 11, 21))
        # the brass bar now costs more: the goods file changed, a new evaluation is made
        self.brass.standard_price = 31.0
        with freeze_time("2026-11-22 09:00:00"):
            self.nightly_job()
        self.assertEqual(self.carrier.rcep_evaluation_count, 2)
        latest = self.carrier.rcep_last_evaluation_id
        self.assertEqual((latest.date, latest.verdict), (date(2026, 11, 22), "originating"))
        self.assertFalse(latest.confirmed_on)
        self.assertEqual(self.carrier.rcep_verdict_since, date(2026, 11, 20))

    def test_when_the_proof_expires_the_product_says_which_and_the_manager_is_told(self):
        self.carrier.rcep_monitor = True
        self.nightly_job()
        with freeze_time("2027-05-04 09:00:00"):
            self.nightly_job()
            self.assertEqual(self.carrier.rcep_verdict, "not_originating")
            self.assertEqual(self.carrier.rcep_verdict_since, date(2027, 5, 4))
            note = self.last_note(self.carrier)
            self.assertIn("JP-RCEP-2026-118842", note)
            self.assertIn("Not originating", note)
            self.assertTrue(self.manager_activities(self.carrier))

    def test_a_bom_line_added_is_named_in_the_note(self):
        self.carrier.rcep_monitor = True
        self.nightly_job()
        relay = self.product(
            "RELAY-DE", "German relay", "8538.90", standard_price=40.0,
            country_of_origin=self.env.ref("base.de").id,
        )  # fmt: skip
        bom = self.env["mrp.bom"]._bom_find(self.good)[self.good]
        bom.bom_line_ids = [Command.create({"product_id": relay.id, "product_qty": 1})]
        with freeze_time("2026-11-21 09:00:00"):
            self.nightly_job()
        self.assertEqual(self.carrier.rcep_verdict, "not_originating")
        self.assertIn("BOM line added: RELAY-DE", self.last_note(self.carrier))

    def test_a_product_that_fails_stops_no_other_batch(self):
        (self.carrier | self.kit).rcep_monitor = True
        spare = self.product(
            "SWC-631", "Contact carrier, spare", "8538.90", list_price=100.0,
            rcep_process_ids=self.processes("cnc_machining", "assembly"),
        )  # fmt: skip
        self.bom(spare, self.brass, self.contact)
        spare.product_tmpl_id.rcep_monitor = True
        Evaluation = type(self.env["rcep.origin.evaluation"])
        original = Evaluation._rcep_values

        def values(evaluation, product, *args, **kwargs):
            if product == self.busbar_kit:
                raise ValueError("the BOM could not be read")
            return original(evaluation, product, *args, **kwargs)

        progress = []
        with (
            patch.object(product_readiness, "BATCH", 1),
            patch.object(Evaluation, "_rcep_values", values),
            patch.object(
                type(self.env["ir.cron"]),
                "_notify_progress",
                lambda cron, done, remaining, **kw: progress.append((done, remaining)),
            ),
            # the failure is logged for the administrator, with what failed
            self.assertLogs(product_readiness.__name__, "ERROR") as logged,
        ):
            self.nightly_job()
        self.assertIn("failed", logged.output[0])
        self.assertEqual(progress, [(1, 2), (2, 1), (3, 0)], "three batches, one by one")
        self.assertEqual(self.carrier.rcep_verdict, "originating")
        self.assertEqual(spare.product_tmpl_id.rcep_verdict, "originating")
        self.assertFalse(self.kit.rcep_verdict)
        self.assertIn("the BOM could not be read", self.kit.rcep_readiness_error)
        self.nightly_job()  # checked today (it failed): not taken again until tomorrow
        self.assertFalse(self.kit.rcep_verdict)
        with freeze_time("2026-11-21 09:00:00"):
            self.nightly_job()
        self.assertEqual(self.kit.rcep_verdict, "not_originating")
        self.assertFalse(self.kit.rcep_readiness_error)

    def test_with_queue_job_one_job_per_batch_on_the_rcep_channel(self):
        (self.carrier | self.kit).rcep_monitor = True
        delayed = []
        Template = type(self.env["product.template"])

        def with_delay(records, **options):
            delayed.append((records.ids, options.get("channel")))
            return records.browse()  # nothing run here: the queue's workers do

        registry = type(self.env.registry)
        with (
            patch.object(product_readiness, "BATCH", 1),
            patch.object(Template, "with_delay", with_delay, create=True),
            patch.object(
                registry, "__contains__", lambda r, name: name == "queue.job" or name in r.models
            ),
        ):
            self.nightly_job()
        self.assertEqual(delayed, [([self.carrier.id], "root.rcep"), ([self.kit.id], "root.rcep")])
        self.assertFalse(self.carrier.rcep_readiness_checked_on, "left to the queue")

    def test_a_second_cron_run_before_the_workers_queues_no_batch_twice(self):
        (self.carrier | self.kit).rcep_monitor = True
        queue = {}  # as queue_job keeps it: a job whose identity key is waiting is not added
        Template = type(self.env["product.template"])

        class Delayed:
            def __init__(self, records, key):
                self.records, self.key = records, key

            def _rcep_readiness_batch(self):
                queue.setdefault(self.key, self.records.ids)

        def with_delay(records, **options):
            return Delayed(records, options["identity_key"])

        registry = type(self.env.registry)
        with (
            patch.object(product_readiness, "BATCH", 1),
            patch.object(Template, "with_delay", with_delay, create=True),
            patch.object(
                registry, "__contains__", lambda r, name: name == "queue.job" or name in r.models
            ),
        ):
            self.nightly_job()
            self.assertEqual(sorted(queue.values()), [[self.carrier.id], [self.kit.id]])
            first = dict(queue)
            self.nightly_job()  # the workers have not run yet: the same batches, the same keys
            self.assertEqual(queue, first)
            with freeze_time("2026-11-21 09:00:00"):
                self.nightly_job()  # the next night is another job
        self.assertEqual(len(queue), 4)

    def test_the_deciding_issue_is_found_again_once_the_material_lines_are_written(self):
        # machined around a German contact set (CTH fails) with a Korean spring bought without
        # proof; RVC40 fails too, by both: the spring's missing proof decides, and the lines
        # that say which materials count in VNM are written by the job after confirmation
        contact_set = self.product(
            "CONTACT-SET-DE", "Contact set, German", "8538.90", standard_price=40.0,
            country_of_origin=self.env.ref("base.de").id,
        )  # fmt: skip
        spring = self.product(
            "SPRING-KR", "Contact spring, Korean", "7320.20", standard_price=30.0,
            country_of_origin=self.env.ref("base.kr").id,
        )  # fmt: skip
        carrier = self.product(
            "SWC-650", "Contact carrier for 650 A switch", "8538.90", list_price=100.0,
            rcep_process_ids=self.processes("cnc_machining", "assembly"),
        )  # fmt: skip
        self.bom(carrier, contact_set, spring)
        self.company.rcep_check_mode = "warn"  # confirmed all the same, the manager told
        order = self.confirm_order(carrier)
        evaluation = order.rcep_evaluation_ids
        self.assertTrue(evaluation.lines_pending)
        template = carrier.product_tmpl_id
        self.assertEqual(template.rcep_verdict, "not_originating")
        self.run_job()  # the job right after confirmation writes the lines
        self.assertFalse(evaluation.lines_pending)
        self.assertEqual(template.rcep_deciding_code, "ORIGIN_PROOF_MISSING")

    # --- what a change affects ------------------------------------------------------------

    def test_orders_and_declarations_that_rely_on_a_lapsing_product_are_flagged(self):
        confirmed = self.confirm_order(**{"rcep_vessel_or_flight": "KOTA LARIS V.612S"})
        quotation = self.quotation()
        declaration = confirmed.rcep_declaration_ids
        self.assertTrue(declaration)
        self.company.rcep_readiness_horizon = 200
        self.nightly_job()
        self.assertEqual(self.carrier.rcep_affected_order_ids, confirmed | quotation)
        self.assertEqual(self.carrier.rcep_affected_declaration_ids, declaration)
        for record in (confirmed, quotation, declaration):
            self.assertIn("2027", record.rcep_readiness_alert)
            self.assertTrue(self.manager_activities(record), record.display_name)
        self.assertFalse(self.kit.rcep_affected_order_ids)

    # --- the dashboard ----------------------------------------------------------------------

    def test_the_dashboard_counts_products_by_status_issue_and_lapse(self):
        (self.carrier | self.kit).rcep_monitor = True
        self.company.rcep_readiness_horizon = 200
        self.nightly_job()
        Report = self.env["rcep.readiness.report"].with_user(self.rcep_manager)
        by_verdict = {
            verdict: count
            for verdict, count in Report._read_group(
                [("product_tmpl_id", "in", (self.carrier | self.kit).ids)],
                ["verdict"],
                ["product_count:sum"],
            )
        }
        self.assertEqual(by_verdict, {"originating": 1, "not_originating": 1})
        row = Report.search([("product_tmpl_id", "=", self.kit.id)])
        self.assertEqual((row.deciding_code, row.lapse_window), ("PROCESS_MINIMAL", "none"))
        row = Report.search([("product_tmpl_id", "=", self.carrier.id)])
        self.assertEqual(row.lapse_window, "horizon")
        with freeze_time("2027-05-01 09:00:00"):  # a Saturday: it lapses on Tuesday
            self.env.invalidate_all()
            row = Report.search([("product_tmpl_id", "=", self.carrier.id)])
            self.assertEqual(row.lapse_window, "month")
