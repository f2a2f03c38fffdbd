"""Export validation: every problem located (table, row, column, value) and explained by a rule."""
