"""Temporal activities: every I/O step of the order lifecycle (database, Stripe, e-mail, PDF)."""
