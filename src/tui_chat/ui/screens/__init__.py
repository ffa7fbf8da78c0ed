"""Modal screens: help, text editing."""
