"""The audit of curated records against their source texts: quotes, offsets and numbers."""
