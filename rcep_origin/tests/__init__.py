from . import test_origin_story
from . import test_sale_confirmation
