"""Typed parameters of this stage's config sections, and their cross-field checks."""
