"""Stakeholder Graph: who is at the table in a multi-stakeholder network, and who is missing."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stakeholder-graph")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0"
