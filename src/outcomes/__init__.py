"""outcomes: endpoint derivations and analyses for the lupus CAR-T trial NCT07274059."""

__version__ = "0.1.0"
