"""algoconf.tuners."""
