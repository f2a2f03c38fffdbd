"""Reading and writing files: the only package that touches the file system for data."""
