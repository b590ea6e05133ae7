"""LGGAN Studio's node types in PyTorch, for graphs exported with `lggan export-pytorch`."""
