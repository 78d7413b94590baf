"""Bridge points and the link status their operators report."""
