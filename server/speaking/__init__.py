"""Requests for the floor and the chair's queue."""
