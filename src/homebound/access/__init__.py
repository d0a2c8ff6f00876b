"""Who may do what: grants, roles and the one policy every door asks (through the hub).

A layer of its own between the model and the hub: pure data and decisions, no I/O. Accounts, credentials and
their storage live above, in `household/`.
"""
