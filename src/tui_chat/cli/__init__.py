"""``tui-chat`` and its subcommands: :mod:`.main` parses and dispatches, one module per command family."""
