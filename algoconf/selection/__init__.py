"""algoconf.selection."""
