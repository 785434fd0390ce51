from odoo import api, fields, models, tools

from rcep_rules.parties import Parties


class ResCountry(models.Model):
    _inherit = "res.country"

    rcep_party = fields.Boolean("RCEP Party", readonly=True)
    rcep_asean = fields.Boolean("ASEAN member", readonly=True)
    rcep_entry_into_force = fields.Date("RCEP in force from", readonly=True)
    rcep_contested = fields.Boolean(
        "RCEP status contested",
        readonly=True,
        help="In force per China, not accepted by every Party (Myanmar): check before relying.",
    )

    @api.model
    def _rcep_load_parties(self):
        """Mark the RCEP Parties from the engine's data (data/parties.csv)."""
        parties = Parties.load()
        for country in self.search([("code", "in", list(parties.by_code))]):
            party = parties.get(country.code)
            country.write(
                {
                    "rcep_party": True,
                    "rcep_asean": party.asean,
                    "rcep_entry_into_force": party.entry_into_force,
                    "rcep_contested": party.contested,
                }
            )

    @api.model
    @tools.ormcache()
    def _rcep_ids(self):
        """{ISO code: id} of all countries, read once per process."""
        return {c["code"]: c["id"] for c in self.sudo().search_read([], ["code"]) if c["code"]}

    def _rcep_in_force_on(self, day):
        self.ensure_one()
        return bool(
            self.rcep_party and self.rcep_entry_into_force and self.rcep_entry_into_force <= day
        )
