"""Jeugdregie: regie op jeugdhulp voor een regio van gemeenten."""

__version__ = "0.1.0"
