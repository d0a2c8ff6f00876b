"""Homebound: an electric car as one more member of its owner's device ecosystem."""

__version__ = "0.1.0"
