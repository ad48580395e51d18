"""Server-rendered storefront (Jinja2) for shoppers and merchants."""
