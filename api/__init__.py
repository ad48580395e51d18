"""HTTP API (FastAPI): accounts, catalogue, shops, cart, orders, webhooks, operator routes."""
