"""algoconf.features."""
