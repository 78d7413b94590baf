"""The roster: who is expected at which point, searchable the Vietnamese way."""
