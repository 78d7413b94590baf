"""The demo workshop: the 2021 online workshop on the police–provincial party coordination rules."""
