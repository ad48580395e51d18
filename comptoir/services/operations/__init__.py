"""The operators' console reads and actions: orders, accounts, figures, stuck orders, contact
messages, settlements and commission invoices (admin_ui only displays)."""
