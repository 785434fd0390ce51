"""XML from outside is never trusted: no DTD, no entity, no network, nothing read from disk."""

import http.server
import threading

import pytest

from connectors.cli import main
from connectors.xmlsafe import XMLUnreadable, parse_untrusted, problems

DECLARATION = "urn:rcep-origin:declaration:1"


@pytest.fixture
def listener():
    """A local HTTP server that records every request it gets (there must be none)."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "x">')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_an_external_entity_pointing_at_a_local_file_is_refused_and_the_file_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<d:Declaration xmlns:d="{DECLARATION}">&x;</d:Declaration>'
    ).encode()
    with pytest.raises(XMLUnreadable) as refused:
        parse_untrusted(doc)
    assert "DOCTYPE" in str(refused.value) and "TOP-SECRET" not in str(refused.value)


def test_billion_laughs_is_refused_without_expanding_anything():
    lol = "".join(f'<!ENTITY l{i} "{"&l" + str(i - 1) + ";" * 10}">' for i in range(1, 10))
    doc = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{lol}]><r>&l9;</r>'.encode()
    with pytest.raises(XMLUnreadable):
        parse_untrusted(doc)


def test_an_external_dtd_is_never_fetched(listener):
    url, seen = listener
    doc = f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{url}/evil.dtd"><r/>'.encode()
    with pytest.raises(XMLUnreadable):
        parse_untrusted(doc)
    assert seen == []


def test_an_external_parameter_entity_is_never_fetched(listener):
    url, seen = listener
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]><r/>'
    ).encode()
    with pytest.raises(XMLUnreadable):
        parse_untrusted(doc)
    assert seen == []


def test_a_schema_location_in_the_document_is_never_followed(listener):
    url, seen = listener
    doc = (
        f'<d:Declaration xmlns:d="{DECLARATION}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{DECLARATION} {url}/evil.xsd"/>'
    ).encode()
    found = problems(parse_untrusted(doc))
    assert found  # judged by our own schema (it lacks every required element)
    assert seen == []


def test_the_command_line_refuses_hostile_xml_with_exit_2(tmp_path, capsys):
    path = tmp_path / "xxe.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><r>&x;</r>'
    )
    assert main(["validate", str(path)]) == 2
    assert "DOCTYPE" in capsys.readouterr().err


def test_a_document_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(XMLUnreadable, match="larger than"):
        parse_untrusted(b"<r>" + b" " * (21 * 1024 * 1024) + b"</r>")
