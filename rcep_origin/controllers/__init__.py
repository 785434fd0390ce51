from . import supplier_portal
from . import verification
