"""Local development stack: start PostgreSQL, Temporal, localstripe and an SMTP sink on loopback.

`services` holds the helpers shared by `make run` (`python -m devstack.run`) and tests.
"""
