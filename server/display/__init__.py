"""What the big screen shows: the agenda, a section of the draft, the speakers' list, or a message."""
