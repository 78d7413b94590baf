"""Workshops and their lifecycle: draft, open, collection closed, closed."""
