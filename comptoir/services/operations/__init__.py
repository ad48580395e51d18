"""The operators' console reads: orders, accounts, figures and stuck orders (admin_ui only displays)."""
