"""Reports people read: the data card, the model card, and the plotting setup they share."""
