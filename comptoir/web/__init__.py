"""What the JSON API and the HTML storefront share: request dependencies (neither imports the other)."""
