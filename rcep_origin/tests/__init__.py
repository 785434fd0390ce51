from . import test_origin_story
