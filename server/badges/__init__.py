"""Participant badges: signed codes, printable sheets with QR codes, and check-in by code."""
