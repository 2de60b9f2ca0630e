"""The one kind of failure a build reports: a human message for the Built condition."""


class BuildError(Exception):
    """Why the build failed, in one paragraph a person can act on."""
