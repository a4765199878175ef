"""Documentation generated from the collection's own metadata."""
