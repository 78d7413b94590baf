"""Helpers the test modules share: a test module imports from here (or conftest), never from another test module."""
