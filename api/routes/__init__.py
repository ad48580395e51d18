"""One module per area; each exposes `router`, included by api.main."""
