"""Everything that runs the platform locally (dev servers, sinks); not shipped to production."""
