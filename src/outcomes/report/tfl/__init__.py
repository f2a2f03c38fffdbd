"""Tables, figures and listings (TFL): cell formats, the table object, builders, writers."""
