"""The domain: conversations and their messages, what to tell the user about a failed turn, and the one
sanitizer every outside string passes through. Plain Python: no Textual, no SDK, no SQL."""
