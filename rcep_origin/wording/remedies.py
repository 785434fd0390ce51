"""Remedies on the evaluation form: what would make a good that is not originating qualify,
in the reader's language, naming each material by its product and its vendors. Built from the
engine's answer (``rcep_rules.remedies``); nothing here decides, the engine verified each
remedy by evaluating again."""

from markupsafe import Markup
from odoo.tools import format_date
from odoo.tools.translate import LazyTranslate

from rcep_rules.explain import money, percent

from .issues import country_name

_lt = LazyTranslate(__name__)

REMEDIES_SHOWN = 3  # the least effort first; the others are rarely wanted

_PROOFS = {
    "SUPPLIER_DECLARATION": _lt("a supplier declaration"),
    "RCEP_CO": _lt("an RCEP certificate of origin"),
    "RCEP_DO": _lt("an RCEP declaration of origin"),
}
_WHY = {
    "proof_expired": _lt("its proof has expired"),
    "proof_not_yet_valid": _lt("its proof is issued after the shipment date"),
    "proof_invalid": _lt("its proof cannot apply"),
}


def remedies_html(evaluation, result, products):
    """The remedies of one evaluation as HTML: ``result`` is ``rcep_rules.remedies()`` on its
    goods file, ``products`` {goods-file path: product.product} of its materials."""
    _ = evaluation.env._
    if result.qualifies:
        return Markup("<p>%s</p>") % _(
            "With the rules and data as they are today the good qualifies: evaluate it again."
        )
    html = []
    for remedy in result.remedies[:REMEDIES_SHOWN]:
        html.append(Markup("<li>%s</li>") % remedy_words(evaluation, remedy, products))
    if html:
        intro = _("What would make it qualify (least effort first, each checked by the engine):")
        return Markup("<p>%s</p><ul>%s</ul>") % (intro, Markup("").join(html))
    found = [obstacle_words(evaluation, obstacle) for obstacle in result.obstacles]
    found = found or [_("No change of origin data can make it qualify.")]
    return Markup("").join(Markup("<p>%s</p>") % text for text in dict.fromkeys(found))


def remedy_words(evaluation, remedy, products):
    """One remedy in a sentence: the changes, then what the good then qualifies under."""
    _ = evaluation.env._
    first = remedy.changes[0] if remedy.changes else None
    if first and first.action == "record_process":
        processes = evaluation.env["rcep.origin.process"].search(
            [("code", "in", list(remedy.processes))]
        )
        target = remedy.alternative or remedy.criterion
        then = (
            _(
                "the good then qualifies under %(target)s, its materials as they are",
                target=target,
            )
            if remedy.criterion
            else _("even then its materials meet no alternative of the rule")
        )
        return _(
            "Only minimal operations are recorded on %(product)s (%(processes)s), which "
            "confer no origin (Art 3.6): record the substantial process really performed "
            "(Product › RCEP Origin › Production processes). Not checked, as only you know "
            "what is performed; if one is, %(then)s.",
            product=_product_name(products, first),
            processes=", ".join(processes.mapped("name")) or _("none"),
            then=then,
        )
    changes = "; ".join(change_words(evaluation, change, products) for change in remedy.changes)
    return _(
        "%(changes)s: the good then qualifies %(reached)s.",
        changes=changes,
        reached=_reached(evaluation, remedy),
    )


def change_words(evaluation, change, products):
    """One change, e.g. "Obtain a supplier declaration from Shenzhen Copper Co. for
    [CU-STRIP] Copper strip (value 1.80 USD)"."""
    _ = evaluation.env._
    product = products.get(change.path)
    name = _product_name(products, change)
    vendors = _vendors(product)
    value = "%s %s" % (money(change.value), evaluation.currency_id.name)  # noqa: UP031
    details = [_("value %(value)s", value=value)]
    if len(change.paths) > 1:
        details.append(_("at %(count)s places in the bill of materials", count=len(change.paths)))
    if change.action == "obtain_proof":
        if change.reason in _WHY:
            details.append(_(_WHY[change.reason]))
        proof = _(_PROOFS.get(change.proof_type, _lt("an origin proof")))
        country = country_name(evaluation.env, change.origin_country)
        return _(
            "Obtain %(proof)s from %(vendor)s for %(product)s (%(details)s), valid on %(date)s",
            proof=proof,
            vendor=vendors or _("its supplier in %(country)s", country=country),
            product=name,
            details=", ".join(details),
            date=format_date(evaluation.env, evaluation.date),
        )
    now = (
        _("now from %(country)s", country=country_name(evaluation.env, change.origin_country))
        if change.origin_country
        else _("now of unknown origin")
    )
    if vendors:
        now = _("%(now)s, bought from %(vendors)s", now=now, vendors=vendors)
    return _(
        "Buy %(product)s originating (%(details)s; %(now)s): from a vendor in %(exporter)s with "
        "a supplier declaration, or from another RCEP Party with a certificate or declaration "
        "of origin",
        product=name,
        details=", ".join(details),
        now=now,
        exporter=evaluation.exporting_country_id.name or "",
    )


def obstacle_words(evaluation, obstacle):
    """Why no change of origin data reaches an alternative of the rule."""
    _ = evaluation.env._
    words = {
        "PARTY": _("The destination or the date is outside RCEP: no change of origin data helps."),
        "NOT_EVALUATED": _("Fix the issues first: remedies are searched once it can be evaluated."),
        "NO_RULE": _(
            "No product-specific rule is loaded for its HS code: only every material "
            "originating (PE) can make it qualify. Add the rule (Manufacturing › RCEP Origin › "
            "Rules needed)."
        ),
        "PROCESS_RULE": _(
            "%(alt)s needs a chemical reaction, not origin data.", alt=obstacle.alternative
        ),
        "WO": _("%(alt)s: wholly obtained is not a matter of proofs.", alt=obstacle.alternative),
        "PROVISO": _(
            "%(alt)s: its condition on named materials is not searched; make those materials "
            "originating, or lower their value, and evaluate again.",
            alt=obstacle.alternative,
        ),
        "ILLEGIBLE": _(
            "%(alt)s: part of the rule could not be read, so it cannot be met.",
            alt=obstacle.alternative,
        ),
    }
    return words.get(
        obstacle.code,
        _(
            "%(alt)s: even every material that counts made originating would not meet it.",
            alt=obstacle.alternative,
        ),
    )


def _reached(evaluation, remedy):
    _ = evaluation.env._
    if remedy.criterion == "PE":
        return _("as PE (produced exclusively from originating materials, Art 3.2(b))")
    if remedy.threshold is not None and remedy.rvc_after is not None:
        return _(
            "under %(alt)s with %(rvc)s %%", alt=remedy.alternative, rvc=percent(remedy.rvc_after)
        )
    return _("under %(alt)s", alt=remedy.alternative)


def _product_name(products, change):
    product = products.get(change.path)
    return product.display_name if product else change.code or change.path


def _vendors(product):
    """The vendors of a product (its vendor prices), by name."""
    if not product:
        return ""
    partners = product.seller_ids.partner_id.commercial_partner_id
    return ", ".join(dict.fromkeys(partners.mapped("display_name")))
