"""The configuration: :mod:`.settings` (pydantic-settings: CLI > env > TOML > defaults, the profiles),
:mod:`.view` (the plain view the app's screen gets: no pydantic, no key), :mod:`.keymap` (the bindings by id)
and :mod:`.errors`. Importing the package costs nothing: the UI process must not load pydantic."""
