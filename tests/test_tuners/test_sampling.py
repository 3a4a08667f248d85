"""The batch vector encoding is ConfigSpace's own, on every space of the PCS corpus."""

from pathlib import Path

import numpy as np
import pytest

from algoconf.space import read_space
from algoconf.tuners.sampling import config_vector, config_vectors, sample_configs, to_configuration

CORPUS = Path(__file__).resolve().parents[1] / "data" / "pcs"
REPO = Path(__file__).resolve().parents[2]


def _spaces():
    files = sorted(p for p in CORPUS.glob("*") if p.suffix in (".pcs", ".txt", ".json")) if CORPUS.is_dir() else []
    files += sorted(REPO.glob("runners/*/*.pcs"))
    spaces = []
    for path in files:
        try:
            spaces.append((path.name, read_space(path)))
        except Exception:  # noqa: BLE001 - files meant to be rejected are the space tests' business
            continue
    return spaces


def test_batch_encoding_equals_configspace_get_array():
    spaces = _spaces()
    if not spaces:
        pytest.skip("no PCS files found (tests/data/pcs, runners/*/*.pcs)")
    for name, space in spaces:
        configs = sample_configs(space, 40, seed=7)
        batch = config_vectors(space, configs)
        assert batch.shape == (40, len(list(space.keys()))), name
        for row, config in zip(batch, configs):
            reference = np.asarray(to_configuration(space, config).get_array(), dtype=float)
            reference = np.where(np.isfinite(reference), reference, -1.0)
            # ConfigSpace's Configuration rounds float values on construction (differences ~1e-13)
            assert np.allclose(row, reference, rtol=0, atol=1e-9), f"{name}: {config}"
            assert np.allclose(config_vector(space, config), reference, rtol=0, atol=1e-9), name
            assert np.array_equal(row == -1, reference == -1), f"{name}: inactive parameters differ"


def test_empty_batch_has_the_space_width():
    name, space = _spaces()[0]
    assert config_vectors(space, []).shape == (0, len(list(space.keys())))
