"""The app's backend process, and what runs turns for it and for ``tui-chat ask``.

- :mod:`.connection`: one profile's connection (its SDK client, the simulator of the offline demo);
- :mod:`.protocol`: the typed messages the UI process and its child exchange;
- :mod:`.spawn` and :mod:`.main`: starting the child, and its entry point;
- :mod:`.server`: the child's loop, running turns; :mod:`.process`: the child as the UI process sees it.

Importing the package costs nothing: the UI process imports only :mod:`.process` and :mod:`.protocol`.
"""
