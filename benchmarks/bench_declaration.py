"""Declaration benchmark: build and validate the XML of a 50-item declaration.

``xml`` is ``to_xml()``: the element tree written from the model, serialised, re-parsed safely
and validated against xsd/declaration-1.xsd -- what must happen before anything is written.
``with evaluation`` adds building the model from the shipment file, i.e. evaluating the 50
goods with the engine. ``read`` is ``from_xml()`` on those bytes: safe parsing, validation
(lxml) and decoding into the model (xmlschema); ``of which decoding`` is xmlschema's part
alone, on the already parsed and validated tree. Not part of the test run.

    python benchmarks/bench_declaration.py [--repeat 30]
"""

import argparse
import gc
import statistics
import sys
import time

import xmlschema

from connectors.declaration import build, from_xml, load_shipment_file, to_xml
from connectors.xmlsafe import parse_untrusted, schema_model
from rcep_rules import Reference
from rcep_rules.datafiles import data_path

SAMPLES = [
    "01_switchgear_contact_carrier_ctc.json",
    "02_base_station_rvc.json",
    "03_audio_amplifier_dmi.json",
    "04_magnetron_acu.json",
    "05_amplifier_set_rollup.json",
    "08_smartphone_transposed_rule.json",
]


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    path = data_path("shipments", "hcmc_switchgear_and_phones.json")
    data = load_shipment_file(path)
    data["items"] = [
        {
            "goods_file": f"../samples/{SAMPLES[i % len(SAMPLES)]}",
            "marks_and_numbers": f"M/{i}",
            "packages": {"number": 1 + i % 7, "kind": "carton"},
            "quantity": {"value": str(10 + i), "unit": "PCE"},
        }
        for i in range(args.items)
    ]
    reference = Reference.load(rule_files=())
    declaration = build(data, path.parent, reference)
    xml = to_xml(declaration)
    size = len(xml)
    lines = sum(len(i.evidence.bom) for i in declaration.items)
    xml_ms = median_ms(lambda: to_xml(declaration), args.repeat)
    full_ms = median_ms(lambda: to_xml(build(data, path.parent, reference)), args.repeat)
    assert from_xml(xml) == declaration
    read_repeat = max(3, args.repeat // 3)
    read_ms = median_ms(lambda: from_xml(xml), read_repeat)
    tree = parse_untrusted(xml)
    model = schema_model("declaration-1.xsd")

    decode_ms = median_ms(
        lambda: model.decode(
            xmlschema.XMLResource(tree.getroot(), allow="none"),
            validation="skip",
            strip_namespaces=True,
        ),
        read_repeat,
    )
    print(f"{args.items} items, {lines} BOM lines of evidence, {size:,} bytes of XML")
    print(f"xml (build + validate): median {xml_ms:.2f} ms over {args.repeat} runs")
    print(f"with evaluation of the goods: median {full_ms:.2f} ms over {args.repeat} runs")
    print(f"read (parse + validate + decode): median {read_ms:.2f} ms over {read_repeat} runs")
    print(f"  of which decoding (xmlschema): median {decode_ms:.2f} ms over {read_repeat} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
