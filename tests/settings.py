"""Settings for the test suite: the product's own, with a fast password hasher.

The default hasher (PBKDF2, ~1 M iterations) costs ~0.3 s per persona and dominated the suite;
the hashing algorithm is Django's concern, not what these tests check.
"""

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
