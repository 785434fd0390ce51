from . import supplier_portal
