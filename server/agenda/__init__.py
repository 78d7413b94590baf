"""The programme of the workshop and its live running."""
