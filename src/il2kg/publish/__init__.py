"""Publish: release artifacts in dist/, their description, the store and the reference docs."""
