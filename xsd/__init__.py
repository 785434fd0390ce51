"""The XML contract: WSDL and schemas of the Single Window (see README.md, "The XML contract")."""
