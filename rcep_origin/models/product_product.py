from dataclasses import dataclass

from odoo import models


@dataclass(frozen=True)
class Sourcing:
    """Where a bought component comes from on a day, and what that proves about its origin.

    ``vendors`` is how many vendors it may come from, ``proved`` how many of them have a
    declaration valid that day; ``rcep_vendor`` says an RCEP manager named the one vendor that
    supplies it for RCEP goods. ``proof`` is the declaration the goods file carries: a valid
    one only when every vendor proved origin (worst case: a part that may come from a vendor
    without proof is not originating); else an expired or not yet valid one of a vendor that
    did not prove origin, so the engine says why with its date; else none."""

    proof: object = None  # rcep.origin.supplier.declaration, or None
    vendors: int = 0
    proved: int = 0
    rcep_vendor: bool = False


NO_VENDOR = Sourcing()


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _rcep_vendors(self, company, day):
        """{product id: (vendor company ids, ...)}: where each product may come from on
        ``day``: the RCEP vendor an RCEP manager marked on it, else the vendors of its price
        list lines valid that day (their commercial partners, in the lines' order). One query
        for all the products."""
        templates = self.product_tmpl_id.sudo()  # the RCEP vendor is for managers' eyes
        infos = (
            self.env["product.supplierinfo"]
            .sudo()
            .search(
                [
                    ("product_tmpl_id", "in", templates.ids),
                    ("company_id", "in", [False, company.id]),
                    "|",
                    ("date_start", "=", False),
                    ("date_start", "<=", day),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", day),
                ]
            )
        )
        by_template = {}
        for info in infos:
            by_template.setdefault(info.product_tmpl_id.id, []).append(info)
        vendors = {}
        for product in self:
            marked = product.product_tmpl_id.sudo().rcep_vendor_id
            if marked:
                vendors[product.id] = (marked.commercial_partner_id.id,)
                continue
            found = {}  # ordered, without repeats
            for info in by_template.get(product.product_tmpl_id.id, ()):
                if not info.product_id or info.product_id == product:
                    found.setdefault(info.partner_id.commercial_partner_id.id)
            vendors[product.id] = tuple(found)
        return vendors

    def _rcep_sourcing(self, company, day):
        """{product id: Sourcing} of these products on ``day``: their vendors
        (`_rcep_vendors`) and the vendors' declarations (one finder, one query for all)."""
        vendors = self._rcep_vendors(company, day)
        proofs = self.env["rcep.origin.supplier.declaration"]._fetch_origin_proofs(
            company,
            self.env["res.partner"].browse({v for ids in vendors.values() for v in ids}),
            self.product_tmpl_id,
            day,
        )
        sourcing = {}
        for product in self:
            ids = vendors[product.id]
            if not ids:
                sourcing[product.id] = NO_VENDOR
                continue
            template_id = product.product_tmpl_id.id
            found = [proofs.get((vendor, template_id)) for vendor in ids]
            valid = [p for p in found if p and p._covers(day)]
            if len(valid) == len(ids):
                proof = min(valid, key=lambda p: (p.valid_to, p.id))  # the first to run out
            else:  # a vendor without valid proof: an expired or early one says why, if any
                proof = next((p for p in found if p and not p._covers(day)), None)
            sourcing[product.id] = Sourcing(
                proof=proof,
                vendors=len(ids),
                proved=len(valid),
                rcep_vendor=bool(product.product_tmpl_id.sudo().rcep_vendor_id),
            )
        return sourcing
