from . import test_origin_story
from . import test_sale_confirmation
from . import test_declaration_flow
from . import test_evaluation_report
from . import test_declaration_recovery
from . import test_vendor_proofs
from . import test_buyer_document
from . import test_connector_admin
