"""Settlements: when a shop's money is final, what each period pays it, and how (Connect, SEPA).

`rules` and `periods` are pure; `service` reads and writes the database; `payouts` talks to
Stripe; `sepa` writes pain.001 files; `contracts` holds the Temporal names and inputs.
"""
