"""What benchmark scripts share with each other and with the tests: the provenance of a figure
(the commit of the code that produced it) and result files that many processes append to.

The benchmark scripts themselves live in the top-level ``benchmarks/`` folder; whatever a test
needs from them as a library lives here or in the package that owns the idea."""

from algoconf.benchmarking.provenance import changed_files, source_commit
from algoconf.benchmarking.result_file import read_json, update_json, write_json

__all__ = ["changed_files", "read_json", "source_commit", "update_json", "write_json"]
