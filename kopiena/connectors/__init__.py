"""Platform connectors: pure-Python adapters behind one contract (see ``base.Connector``).

No Django, no ORM, no settings in this package. Start with ``base.py`` (the contract),
``errors.py`` (the only exceptions that escape), ``types.py`` and ``registry.py``.
"""
