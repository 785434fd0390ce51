from dataclasses import dataclass

from odoo import models
from odoo.tools import SQL


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
SUPPLIERINFO_FIELDS = [
    "product_tmpl_id",
    "product_id",
    "partner_id",
    "company_id",
    "date_start",
    "date_end",
    "sequence",
    "min_qty",
    "price",
]


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _rcep_vendors(self, company, day, marked=None):
        """{product id: (vendor company ids, ...)}: where each product may come from on
        ``day``: the RCEP vendor an RCEP manager marked on it, else the vendors of its vendor
        prices valid that day for ``company`` (their commercial partners, in the prices'
        order, each once). One query for all the products: an order's confirmation maps
        thousands of BOM lines while a salesman waits."""
        if marked is None:
            marked = self._rcep_marked_vendors()
        templates = self.filtered(lambda p: p.id not in marked).product_tmpl_id
        by_template = {}
        if templates:
            # vendor prices are read whoever confirms: a salesman's rights do not change origin
            self.env["product.supplierinfo"].flush_model(SUPPLIERINFO_FIELDS)
            self.env["res.partner"].flush_model(["commercial_partner_id"])
            self.env.cr.execute(
                SQL(
                    "SELECT info.product_tmpl_id, info.product_id, partner.commercial_partner_id"
                    " FROM product_supplierinfo info"
                    " JOIN res_partner partner ON partner.id = info.partner_id"
                    " WHERE info.product_tmpl_id = ANY(%(templates)s)"
                    " AND (info.company_id IS NULL OR info.company_id = %(company)s)"
                    " AND (info.date_start IS NULL OR info.date_start <= %(day)s)"
                    " AND (info.date_end IS NULL OR info.date_end >= %(day)s)"
                    " ORDER BY info.sequence, info.min_qty DESC, info.price, info.id",
                    templates=templates.ids,
                    company=company.id,
                    day=day,
                )
            )
            for template_id, variant_id, vendor_id in self.env.cr.fetchall():
                by_template.setdefault(template_id, []).append((variant_id, vendor_id))
        vendors = {}
        for product in self:
            if product.id in marked:
                vendors[product.id] = (marked[product.id],)
                continue
            found = {}  # ordered, without repeats
            for variant_id, vendor_id in by_template.get(product.product_tmpl_id.id, ()):
                if not variant_id or variant_id == product.id:
                    found.setdefault(vendor_id)
            vendors[product.id] = tuple(found)
        return vendors

    def _rcep_maybe_made(self):
        """Those of these products a normal BOM may be for, by its product or its template:
        the only ones `mrp.bom._bom_find` can find one for (its domain matches either; nothing
        keeps a BOM's product within its template). Asked first in one grouped query: most
        components of a BOM are bought, and _bom_find's search (ordered through the
        products) costs several milliseconds for the hundreds of components of an order."""
        found = self.env["mrp.bom"]._read_group(
            [
                ("type", "=", "normal"),
                "|",
                ("product_id", "in", self.ids),
                ("product_tmpl_id", "in", self.product_tmpl_id.ids),
            ],
            ["product_id", "product_tmpl_id"],
        )
        products = {product.id for product, _template in found}
        templates = {template.id for _product, template in found}
        return self.filtered(
            lambda product: product.id in products or product.product_tmpl_id.id in templates
        )

    def _rcep_marked_vendors(self):
        """{product id: vendor company id} of the products whose RCEP vendor is set."""
        templates = self.product_tmpl_id.sudo().filtered("rcep_vendor_id")  # managers' field
        if not templates:
            return {}
        vendors = {t.id: t.rcep_vendor_id.commercial_partner_id.id for t in templates}
        return {
            product.id: vendors[product.product_tmpl_id.id]
            for product in self
            if product.product_tmpl_id.id in vendors
        }

    def _rcep_sourcing(self, company, day):
        """{product id: Sourcing} of these products on ``day``: their vendors
        (`_rcep_vendors`) and the vendors' declarations (the one finder, one query)."""
        marked = self._rcep_marked_vendors()
        vendors = self._rcep_vendors(company, day, marked)
        proofs = self.env["rcep.origin.supplier.declaration"]._fetch_origin_proofs(
            company,
            self.env["res.partner"].browse({v for ids in vendors.values() for v in ids}),
            self.product_tmpl_id,
            day,
        )
        # the valid ones, ranked by the day they run out
        covering = {p: (p.valid_to, p.id) for p in set(proofs.values()) if p._covers(day)}
        sourcing = {}
        for product in self:
            ids = vendors[product.id]
            if not ids:
                sourcing[product.id] = NO_VENDOR
                continue
            template_id = product.product_tmpl_id.id
            found = [proofs.get((vendor, template_id)) for vendor in ids]
            valid = [p for p in found if p in covering]
            if len(valid) == len(ids):
                proof = min(valid, key=covering.get)  # the first to run out
            else:  # a vendor without valid proof: an expired or early one says why, if any
                proof = next((p for p in found if p and p not in covering), None)
            sourcing[product.id] = Sourcing(
                proof=proof, vendors=len(ids), proved=len(valid), rcep_vendor=product.id in marked
            )
        return sourcing
