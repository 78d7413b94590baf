"""JSON handlers of /api/v1, one module per area; each handler parses, authorizes, runs one operation."""
