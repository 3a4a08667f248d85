"""algoconf.analysis."""
