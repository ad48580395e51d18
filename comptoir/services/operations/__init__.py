"""The operators' console reads: orders, accounts, figures, stuck orders, contact messages
(admin_ui only displays)."""
