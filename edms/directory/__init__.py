"""Organizations, their departments and positions: the directory every other module refers to."""
