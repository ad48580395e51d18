"""Business services shared by the API and the storefront; each takes a Session and the caller."""
