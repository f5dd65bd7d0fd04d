"""Settings for the test suite: the product's own, with a fast password hasher.

The default hasher (PBKDF2, ~1 M iterations) costs ~0.3 s per persona and dominated the suite;
the hashing algorithm is Django's concern, not what these tests check.
"""

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run in-process during the tests, whatever REDIS_URL says: the suite stays offline and
# asserts their effects at once. tests/portal/test_calendar.py starts a real worker for the
# broker path.
CELERY_TASK_ALWAYS_EAGER = True

# Personal data at rest: the fixed development keys, whatever DEBUG says (common/crypto.py).
from common.crypto import DEV_ENCRYPTION_KEY, DEV_HASH_KEY  # noqa: E402

FIELD_ENCRYPTION_KEYS = [DEV_ENCRYPTION_KEY]
FIELD_HASH_KEY = DEV_HASH_KEY
