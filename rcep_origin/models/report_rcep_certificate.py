from odoo import api, models


class ReportRcepCertificate(models.AbstractModel):
    """The buyer's certificate summary: only of an issued certificate (a draft has none)."""

    _name = "report.rcep_origin.report_rcep_certificate"
    _description = "RCEP origin certificate summary"

    @api.model
    def _get_report_values(self, docids, data=None):
        declarations = self.env["rcep.origin.declaration"].browse(docids)
        declarations._rcep_check_issued()
        # read (and verified) here, before rendering: a refusal is a plain message, not a
        # template error; in the customer's language, as the document is
        summaries = {
            declaration.id: declaration.with_context(
                lang=declaration._rcep_customer_lang()
            )._rcep_summary()
            for declaration in declarations
        }
        # a certificate issued before there were verification links gets one at its first
        # print (printing is reading: the link is the system's to make)
        declarations.sudo()._rcep_ensure_verification()
        return {
            "doc_ids": docids,
            "doc_model": "rcep.origin.declaration",
            "docs": declarations,
            "summaries": summaries,
            "verifications": {
                declaration.id: declaration._rcep_verification_print_values()
                for declaration in declarations
            },
        }
