"""algoconf.portfolio."""
