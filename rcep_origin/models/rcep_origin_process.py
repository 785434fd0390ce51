from odoo import api, fields, models

from rcep_rules.processes import Processes


class RcepOriginProcess(models.Model):
    _name = "rcep.origin.process"
    _description = "RCEP production process"
    _order = "minimal desc, code"
    _rec_names_search = ["name", "code"]  # shown by name, found by name or code

    code = fields.Char("Code", required=True, readonly=True, index=True)
    name = fields.Char("Process", required=True, translate=True)
    minimal = fields.Boolean(
        "Minimal operation",
        readonly=True,
        help="A minimal operation of Art 3.6: it confers no origin.",
    )
    article = fields.Char("Article", readonly=True)

    _sql_constraints = [("code_unique", "unique(code)", "A process code is unique.")]

    @api.model
    def _rcep_load_processes(self):
        """The vocabulary of data/processes.csv, created or refreshed."""
        existing = {p.code: p for p in self.search([])}
        for process in Processes.load():
            values = {
                "code": process.code,
                "name": process.name,
                "minimal": process.minimal,
                "article": process.article,
            }
            if process.code in existing:
                existing[process.code].write(values)
            else:
                self.create(values)
