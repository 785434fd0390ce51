"""The customs Single Window: the SOAP contract (xsd/single-window-1.wsdl), a strict mock
service that re-verifies declarations and issues signed certificates, and the client."""

ENDPOINT = "http://127.0.0.1:8070/single-window"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SW = "urn:rcep-origin:single-window:1"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
