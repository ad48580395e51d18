"""Orders as the rest of the code sees them: `contracts` (the wire format shared with the
workflows and activities: inputs, results, names) and `gateway` (the one place that talks to
Temporal about orders)."""
