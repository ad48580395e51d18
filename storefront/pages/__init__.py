"""Storefront pages, one module per area, each exposing `router`."""
