"""Records: the typed models of a curated publication, read from seeds and cross-checked."""
