"""What to tell the user to do about a failed turn, in the words of the profile it was sent to."""

from __future__ import annotations

from ..config.view import ProfileView
from ..engine.events import ErrorKind, Failed


def failure_hint(failed: Failed, profile: ProfileView) -> str:
    """The failure's hint, naming the profile's own key setting for a refused key."""
    if failed.kind == ErrorKind.AUTH:
        if profile.key_origin == "unset":
            return (
                f"no API key is set for profile {profile.name!r}: set OPENAI_API_KEY, or "
                f"profiles.{profile.name}.api_key_env / api_key in the config file"
            )
        return f"the API key from {profile.key_origin} was refused (profile {profile.name!r}): check it"
    if failed.kind == ErrorKind.CONNECTION:
        return f"is the server at {profile.display_url} running and reachable?"
    return failed.hint
