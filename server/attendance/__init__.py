"""Check-in and check-out at the bridge points, and the attendance totals."""
