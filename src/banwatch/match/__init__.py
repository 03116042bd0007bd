"""Name handling: normalise written names, and recognise catalog parties and
products in the free text of a transaction."""
