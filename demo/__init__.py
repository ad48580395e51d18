"""Demo data of an invented Loire town: shops, catalogue, accounts, a few messages.

`python -m demo.load` loads it once; `accounts.DEMO_LOGINS` lists the demo logins.
"""
