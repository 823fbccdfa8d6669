"""Page copy looked up by name (help texts), kept out of the pure model."""
