"""Live input from the floor: remarks (speech texts, papers) and comments on the draft."""
