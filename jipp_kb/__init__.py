"""jipp-kb: the open knowledge base of Indonesia's public-service innovations."""

__version__ = "0.1.0"
