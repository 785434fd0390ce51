"""``declare`` and ``validate``: the declaration XML of a shipment, and any document checked
against the schemas of xsd/."""

from pathlib import Path

from connectors.cli import options
from connectors.cli.output import fail, json_out, out
from connectors.cli.status import Exit


def register(sub) -> None:
    p = options.command(
        sub,
        "declare",
        declare,
        "Build the declaration XML of a shipment file; it is "
        "validated against xsd/ before it is written.",
    )
    p.add_argument("shipment", type=Path, metavar="SHIPMENT.json")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.xml")
    p = options.command(
        sub,
        "validate",
        validate,
        "Validate an XML document (declaration, receipt, "
        "certificate or rejection) against xsd/; exit 0 valid, 1 invalid, 2 unreadable.",
    )
    p.add_argument("file", type=Path, metavar="FILE.xml")


def declare(args) -> int:
    from connectors.declaration import DeclarationError, build, load_shipment_file, to_xml
    from connectors.xmlsafe import SchemaInvalid

    try:
        data = load_shipment_file(args.shipment)
        declaration = build(data, args.shipment.parent, options.reference(args))
        xml = to_xml(declaration)
    except DeclarationError as exc:
        fail(args, exc.as_dict())
        return 1 if exc.code.startswith("ITEM_NOT") or exc.code == "ITEM_REVIEW_ERRORS" else 2
    except SchemaInvalid as exc:
        fail(
            args,
            {
                "code": exc.code,
                "path": str(args.shipment),
                "message": "the declaration built from this shipment does not match "
                "xsd/declaration-1.xsd; nothing was written",
                "hint": "Correct the shipment fields named below.",
                "problems": [p.as_dict() for p in exc.problems],
            },
        )
        return 2
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(xml)
    tmp.replace(args.out)
    summary = {
        "file": str(args.out),
        "idempotency_key": declaration.idempotency_key,
        "items": [
            {
                "number": i.number,
                "code": i.evidence.item_code,
                "hs": i.hs,
                "criterion": i.criterion,
                "annotations": list(i.annotations),
            }
            for i in declaration.items
        ],
    }
    if args.json:
        json_out(summary)
    else:
        out.print(
            f"Declaration {declaration.idempotency_key} written to {args.out} "
            f"({len(declaration.items)} item(s), valid against xsd/declaration-1.xsd):"
        )
        for item in summary["items"]:
            notes = f" ({', '.join(item['annotations'])})" if item["annotations"] else ""
            out.print(
                f"  {item['number']}. {item['code']} HS {item['hs']}: {item['criterion']}{notes}"
            )
    return 0


def validate(args) -> int:
    from connectors.xmlsafe import problems

    tree, _ = options.read_xml(args.file)  # at most the size cap is read (/dev/zero)
    found = problems(tree)
    if args.json:
        json_out(
            {
                "file": str(args.file),
                "valid": not found,
                "problems": [p.as_dict() for p in found],
            }
        )
    elif found:
        out.print(f"{args.file}: INVALID, {len(found)} problem(s):")
        for p in found:
            out.print(f"  line {p.line}, {p.path}: {p.message}")
    else:
        out.print(f"{args.file}: valid")
    return Exit.NO if found else Exit.OK
