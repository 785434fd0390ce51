"""The RCEP officer opens Readiness, sees the monitored products grouped by the issue that
decides their status, and each group opens the records to fix: the components without an HS
code, the bill of materials lines, the components without a valid supplier declaration, the
products only cut and marked, the HS codes that need a rule."""

from odoo.tests import tagged

from .common import RcepWorldCase


@tagged("post_install", "-at_install")
class TestDecidingIssuesOpenWhatToFix(RcepWorldCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        germany, korea = cls.env.ref("base.de").id, cls.env.ref("base.kr").id
        machined = cls.processes("cnc_machining", "assembly")
        # a screw whose HS code was never entered
        cls.screw = cls.product("SCREW-M4", "Screw M4", False, standard_price=0.1)
        cls.unclassified = cls.product(
            "SWC-660", "Contact carrier, screwed", "8538.90", list_price=100.0,
            rcep_process_ids=machined,
        )  # fmt: skip
        cls.bom(cls.unclassified, cls.brass, cls.screw)
        # machined around a German contact set with a Korean spring bought without proof
        contact_set = cls.product(
            "CONTACT-SET-DE", "Contact set, German", "8538.90", standard_price=40.0,
            country_of_origin=germany,
        )  # fmt: skip
        cls.spring = cls.product(
            "SPRING-KR", "Contact spring, Korean", "7320.20", standard_price=30.0,
            country_of_origin=korea,
        )  # fmt: skip
        cls.unproved = cls.product(
            "SWC-650", "Contact carrier for 650 A switch", "8538.90", list_price=100.0,
            rcep_process_ids=machined,
        )  # fmt: skip
        cls.bom(cls.unproved, contact_set, cls.spring)
        # a line whose quantity was left at zero
        cls.unquantified = cls.product(
            "SWC-670", "Contact carrier, unfinished BOM", "8538.90", list_price=100.0,
            rcep_process_ids=machined,
        )  # fmt: skip
        bom = cls.bom(cls.unquantified, cls.brass, cls.contact)
        cls.zero_line = bom.bom_line_ids.filtered(lambda line: line.product_id == cls.contact)
        cls.zero_line.product_qty = 0
        # a transformer: no rule is loaded for 8504.31
        cls.transformer = cls.product(
            "TR-100", "Control transformer 100 VA", "8504.31", list_price=40.0,
            rcep_process_ids=cls.processes("assembly"),
        )  # fmt: skip
        cls.bom(cls.transformer, cls.brass)
        products = (
            cls.busbar_kit | cls.unclassified | cls.unproved | cls.unquantified | cls.transformer
        )
        products.product_tmpl_id.rcep_monitor = True
        cls.env["product.template"]._cron_rcep_readiness()

    def deciding_issues(self):
        action = self.env.ref("rcep_origin.menu_rcep_readiness_issue_mrp").action
        rows = self.env[action.res_model].with_user(self.rcep_manager).search([])
        return {row.code: row for row in rows}

    def open_to_fix(self, code):
        action = self.deciding_issues()[code].action_rcep_open_to_fix()
        return self.env[action["res_model"]].search(action["domain"])

    def test_each_deciding_issue_counts_its_products(self):
        self.assertEqual(
            {code: row.product_count for code, row in self.deciding_issues().items()},
            {
                "PROCESS_MINIMAL": 1,
                "HS_MISSING": 1,
                "ORIGIN_PROOF_MISSING": 1,
                "BOM_QTY_INVALID": 1,
                "PSR_NOT_FOUND": 1,
            },
        )

    def test_only_cut_and_marked_opens_the_product_to_record_its_processes(self):
        self.assertEqual(self.open_to_fix("PROCESS_MINIMAL"), self.busbar_kit.product_tmpl_id)

    def test_no_hs_code_opens_the_component_without_it(self):
        self.assertEqual(self.open_to_fix("HS_MISSING"), self.screw.product_tmpl_id)

    def test_a_missing_proof_opens_the_component_without_a_valid_declaration(self):
        self.assertEqual(self.open_to_fix("ORIGIN_PROOF_MISSING"), self.spring.product_tmpl_id)

    def test_a_zero_quantity_opens_the_bill_of_materials_line(self):
        self.assertEqual(self.open_to_fix("BOM_QTY_INVALID"), self.zero_line)

    def test_no_rule_opens_rules_needed(self):
        action = self.deciding_issues()["PSR_NOT_FOUND"].action_rcep_open_to_fix()
        self.assertEqual(action["res_model"], "rcep.origin.readiness.rule")
        rows = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(rows.mapped("code"), ["8504.31"])
        self.assertEqual(rows.product_tmpl_ids, self.transformer.product_tmpl_id)

    def test_the_dashboard_groups_by_deciding_issue_open_the_same_records(self):
        Report = self.env["rcep.readiness.report"].with_user(self.rcep_manager)
        groups = Report._read_group([], ["deciding_issue_id"], ["product_count:sum"])
        by_code = {issue.code: count for issue, count in groups if issue}
        self.assertEqual(by_code["HS_MISSING"], 1)
        issue = next(i for i, _count in groups if i.code == "HS_MISSING")
        action = issue.action_rcep_open_to_fix()
        self.assertEqual(
            self.env[action["res_model"]].search(action["domain"]), self.screw.product_tmpl_id
        )
