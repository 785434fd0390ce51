from odoo import api, models


class ReportRcepCertificate(models.AbstractModel):
    """The buyer's certificate summary: only of an issued certificate (a draft has none)."""

    _name = "report.rcep_origin.report_rcep_certificate"
    _description = "RCEP origin certificate summary"

    @api.model
    def _get_report_values(self, docids, data=None):
        declarations = self.env["rcep.origin.declaration"].browse(docids)
        declarations._rcep_check_issued()
        return {
            "doc_ids": docids,
            "doc_model": "rcep.origin.declaration",
            "docs": declarations,
        }
