"""What the declaration builder and the Single Window report, in the words of the people who
use Odoo: what is missing or refused, where to fix it, and who can."""

import re

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


# --- declaration problems (what the builder and the Single Window report) ------------------------

# The shipment's fields a declaration needs, by the builder's path: where an Odoo user fills in
# each one. The builder names them by path (``transport.vessel_or_flight``); users never see that.
DECLARATION_FIELDS = {
    "exporter.customs_code": _lt("Settings › Sales › RCEP origin › Customs registration code"),
    "exporter.name": _lt("Settings › Companies › (the company) › Company Name"),
    "exporter.address": _lt("Settings › Companies › (the company) › Address"),
    "exporter.country": _lt("Settings › Companies › (the company) › Country"),
    "currency": _lt("Settings › Companies › (the company) › Currency"),
    "importer.name": _lt("Sales order › Customer"),
    "importer.address": _lt("Sales order › Delivery Address (the address on its contact)"),
    "importer.country": _lt("Sales order › Delivery Address (the country on its contact)"),
    "transport.means": _lt("Sales order › Other Info › RCEP origin › Means of transport"),
    "transport.vessel_or_flight": _lt("Sales order › Other Info › RCEP origin › Vessel or flight"),
    "transport.port_of_loading": _lt("Sales order › Other Info › RCEP origin › Port of loading"),
    "transport.port_of_discharge": _lt(
        "Sales order › Other Info › RCEP origin › Port of discharge"
    ),
}
DECLARATION_FIXER = _lt("the RCEP manager")

# what the Single Window's rejection codes mean (connectors/single_window/second_level.py)
REJECTION_MEANINGS = {
    "CRITERION_NOT_MET": _lt(
        "the origin criterion declared does not hold under the Agreement's own rule (Annex 3A); "
        "check the product-specific rule and the goods' materials and costs"
    ),
    "ORIGIN_NOT_PROVEN": _lt(
        "a material declared originating has no proof of origin valid on the shipment day; "
        "check its supplier declaration"
    ),
    "ANNOTATION_NOT_MET": _lt(
        "an annotation was declared (such as ACU) that the goods do not need"
    ),
    "RVC_MISMATCH": _lt(
        "the regional value content figures do not add up; check the costs of the materials"
    ),
}

ERROR_MEANINGS = {
    "UNREACHABLE": _lt("the Single Window could not be reached"),
    "MALFORMED_RESPONSE": _lt("the Single Window's answer could not be read"),
    "AUTHENTICATION_FAILED": _lt(
        "the Single Window refused the user name or password of the connector "
        "(Manufacturing › RCEP Origin › Single Window connectors)"
    ),
    "AUTHENTICATION_REQUIRED": _lt("the Single Window asked for a user name and password"),
    "SIGNATURE_INVALID": _lt(
        "the certificate that came back is not signed by the Single Window's pinned signing "
        "certificate; it was not accepted"
    ),
    "HOSTILE_RESPONSE": _lt("the Single Window's answer carried forbidden XML and was refused"),
    "SCHEMA_INVALID": _lt("the Single Window found the declaration's format invalid"),
    "IDEMPOTENCY_CONFLICT": _lt(
        "the Single Window already holds another declaration under this one's key"
    ),
    "NO_SIGNING_CERTIFICATE": _lt(
        "no signing certificate of the Single Window is pinned on the connector, so a "
        "certificate could not be checked: an administrator pins it with Fetch signing "
        "certificate (Manufacturing › RCEP Origin › Single Window connectors), after comparing "
        "its fingerprint with the one customs publishes; nothing was sent"
    ),
    "SIGNATURE_WRAPPED": _lt(
        "the certificate that came back is not exactly the element that was signed (a forged "
        "certificate around a genuine signature); it was not accepted"
    ),
    "SIGNATURE_MISSING": _lt(
        "the certificate that came back carries no signature; it was not accepted"
    ),
    "SIGNATURE_ALGORITHM": _lt(
        "the certificate that came back is signed in a way the Single Window does not sign; it "
        "was not accepted"
    ),
    "CERTIFICATE_MISMATCH": _lt(
        "the certificate that came back is not this declaration's (its numbers or content "
        "differ from what was declared); it was not accepted"
    ),
    "RECEIPT_MISMATCH": _lt("the Single Window answered for another declaration; nothing was kept"),
    "TLS_UNTRUSTED": _lt(
        "the Single Window's TLS certificate is not trusted by this server: an administrator "
        "installs the CA that issued it (REQUESTS_CA_BUNDLE) or checks the connector's address"
    ),
}


def declaration_missing(env, paths):
    """What a declaration lacks before it can be built: where to fill it in, and who can."""
    places = "\n".join(f"- {env._(DECLARATION_FIELDS[path])}" for path in paths)
    return env._(
        "The RCEP declaration cannot be built yet; fill in:\n%(places)s\nWho can: "
        "%(who)s. The declaration is then built again by itself (or with Rebuild).",
        places=places,
        who=env._(DECLARATION_FIXER),
    )


def declaration_build_problem(env, code, path, items):
    """Why the builder refused a declaration, from its code and field path; ``items`` names
    the goods by item number (1, 2, ...)."""
    who = env._(DECLARATION_FIXER)
    item = _item_number(path)
    good = items.get(item, "") if item else ""
    if path in DECLARATION_FIELDS:
        return declaration_missing(env, [path])
    if code == "ITEM_NOT_ORIGINATING":
        problem = env._(
            "%(good)s does not qualify under RCEP with the product-specific rules of today "
            "(Sales › RCEP Origin › Product-specific rules)",
            good=good,
        )
    elif code == "ITEM_REVIEW_ERRORS":
        problem = env._(
            "%(good)s has pre-review errors (see its evaluation: Sales order › RCEP)", good=good
        )
    elif code == "SCHEMA_INVALID":
        problem = env._(
            "a text of the order holds a character that cannot be sent, such as a tab pasted "
            "into Sales order › Order Lines › Marks and numbers"
        )
    elif good:
        problem = env._("the data of %(good)s is missing or wrong", good=good)
    else:
        problem = env._("the order's data is missing or wrong")
    return env._(
        "The RCEP declaration could not be built: %(problem)s (%(code)s). Who can fix it: "
        "%(who)s, then Rebuild on the declaration.",
        problem=problem,
        code=code,
        who=who,
    )


def declaration_rejection(env, reasons, items):
    """The Single Window's rejection in words, one line per reason; ``items`` names the goods
    by item number."""
    lines = []
    for reason in reasons:
        code = reason.get("code") or ""
        meaning = REJECTION_MEANINGS.get(code)
        item = _item_number(reason.get("field_path") or "")
        good = items.get(item) if item else None
        words = env._(meaning) if meaning else reason.get("message") or ""
        if good:
            lines.append(f"- {good}: {words} ({code})")
        else:
            lines.append(f"- {words} ({code})")
    return "\n".join(lines)


def declaration_error(env, code, transient):
    """A failure to send, in words, with what happens next."""
    meaning = ERROR_MEANINGS.get(code)
    words = env._(meaning) if meaning else env._("sending failed")
    if transient:
        return env._(
            "Not sent yet: %(words)s (%(code)s). It is tried again with the same key every "
            "quarter of an hour, or at once with Retry.",
            words=words,
            code=code,
        )
    return env._(
        "Not sent: %(words)s (%(code)s). Who can fix it: %(who)s, then Retry.",
        words=words,
        code=code,
        who=env._(DECLARATION_FIXER),
    )


def declaration_rejected(env, rejection):
    """The order's chatter line for a rejection worded by ``declaration_rejection``."""
    return env._(
        "The Single Window rejected the RCEP declaration:\n%(reasons)s\nWho can correct it: "
        "%(who)s, then Correct and resubmit on the declaration.",
        reasons=rejection,
        who=env._(DECLARATION_FIXER),
    )


def declaration_unqueued(env, why):
    """A declaration left unsent: ``no_connector``, ``manual`` (automatic submission off) or
    ``cancelled`` (the order)."""
    if why == "no_connector":
        return env._(
            "Built, but not sent: the company has no Single Window connector "
            "(Manufacturing › RCEP Origin › Single Window connectors). Who can add one: an "
            "administrator; then Rebuild."
        )
    if why == "manual":
        return env._(
            "Built and validated. Automatic submission is off "
            "(Settings › Sales › RCEP origin › Submit declarations automatically): queue it to "
            "send it."
        )
    if why == "never_received":
        return env._(
            "The order was cancelled before the Single Window received this declaration: it "
            "was never received and will not be sent."
        )
    return env._("The order was cancelled: not sent.")


def declaration_proof_revoked(env, references):
    """A declaration never sent whose goods relied on supplier proofs revoked since."""
    return env._(
        "Not sent: the supplier declaration %(references)s the goods relied on was revoked "
        "after the order was evaluated. The order must be evaluated again: a salesperson "
        "cancels it, sets it to quotation and confirms it again (its goods are then judged on "
        "the proofs valid now), or the RCEP manager fixes the proof and Rebuild.",
        references=", ".join(references),
    )


def declaration_unexpected(env):
    """Building failed in a way nobody foresaw (the log holds the traceback)."""
    return env._(
        "The RCEP declaration could not be built (an unexpected error, logged). Who can fix "
        "it: %(who)s, then Rebuild.",
        who=env._(DECLARATION_FIXER),
    )


def _item_number(path):
    """The item number of a builder path (items[0].…, 0-based) or a Single Window path
    (/Declaration/Items/Item[1]/…, 1-based)."""
    found = re.search(r"items\[(\d+)\]", path or "")
    if found:
        return int(found.group(1)) + 1
    found = re.search(r"Item\[(\d+)\]", path or "")
    return int(found.group(1)) if found else None
