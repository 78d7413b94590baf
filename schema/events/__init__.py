"""The socket events: a JSON Schema per type, and the builder of each payload (payloads.py)."""
