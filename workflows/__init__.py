"""Temporal workflows: OrderWorkflow, VendorOrderWorkflow and their deterministic rules."""
