"""Socket.IO: pushes committed events and answers resync; it carries no writes."""
