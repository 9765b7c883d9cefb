"""Pure metric functions (numpy at most): each takes predictions and references and returns numbers."""
