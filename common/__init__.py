"""The ground floor: small helpers every app may import (Django only, no app imports).

* ``uploads`` — size, extension and content checks of uploaded files, every entry of a zip
  checked before it is kept; private storage names.
* ``formtools`` — show a service's ``ValidationError`` on a form.
* ``tiers`` — the three tiers, defined once.
* ``trees`` — read a reference tree (industries, regions) with caching, and its per-level picker.
"""
