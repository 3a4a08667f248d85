"""algoconf.targets."""
