"""The Textual app: screens, widgets and styles. Widgets render engine events; they never call the API."""
