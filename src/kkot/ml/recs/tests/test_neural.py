"""The neural session model: numpy serving equals the torch network, and it learns session structure."""

from __future__ import annotations

import numpy as np
import pytest

from kkot.ml.recs import Interactions
from kkot.ml.recs.neural import NeuralSession, _Net, _prefix_batches
from kkot.ml.recs.tests.conftest import synthetic_sessions

torch = pytest.importorskip("torch")


def test_prefixes_are_right_aligned_and_shifted() -> None:
    inter = Interactions.from_sequences([[4, 5, 6], [7], [1, 2]], n_items=8)
    x, y = _prefix_batches(inter, max_len=2)
    assert x.tolist() == [[0, 5], [5, 6], [0, 2]]  # ids + 1, 0 pads on the left
    assert y.tolist() == [5, 6, 2]


def test_numpy_session_vector_equals_torch() -> None:
    torch.manual_seed(3)
    net = _Net(torch, n_items=30, dim=8, max_len=5)
    for p in net.parameters():  # move every weight away from its initial value
        p.data.add_(0.1 * torch.randn_like(p))
    net.emb.weight.data[0].zero_()
    model = NeuralSession(dim=8, max_len=5)
    model.n_items, model.arrays = 30, net.export()
    histories = [[3], [1, 2, 3], [0, 5, 9, 11, 4, 8, 20], [7, 7]]
    for h in histories:
        ids = np.asarray(h[-5:]) + 1
        xb = torch.zeros((1, 5), dtype=torch.long)
        xb[0, 5 - ids.size :] = torch.from_numpy(ids)
        expected = net.session(xb).detach().numpy()[0]
        np.testing.assert_allclose(model.session_vector(np.asarray(h)), expected, rtol=1e-5, atol=1e-6)


def test_learns_next_items_and_never_proposes_unseen_items() -> None:
    inter = synthetic_sessions()
    model = NeuralSession(dim=16, epochs=30, batch_size=64, negatives=8, lr=1e-2, threads=1).fit(inter)
    ids, _ = model.recommend([[0, 1], [3], [10]], k=1)
    assert ids[:, 0].tolist() == [2, 4, 11]
    assert model.train_report["prefixes"] > 0
    # an item that never occurs in training is never a candidate, whatever its random embedding says
    bigger = Interactions.from_sequences([list(map(int, s)) for s in inter.sequences()], n_items=13)
    m2 = NeuralSession(dim=16, epochs=5, batch_size=64, negatives=8, threads=1).fit(bigger)
    ids, _ = m2.recommend([[0], [3], [12]], k=13)
    assert 12 not in ids.ravel().tolist()
    assert 12 not in m2.similar_items([0], k=13)[0].ravel().tolist()


def test_warm_start_continues_from_the_fitted_weights() -> None:
    inter = synthetic_sessions()
    model = NeuralSession(dim=16, epochs=30, batch_size=64, negatives=8, lr=1e-2, threads=1, warm_start=True, refit_epochs=2)
    model.fit(inter)
    assert model.train_report["warm_start"] is False
    before = model.arrays["emb"].copy()
    model.similar_items([0], k=3)  # fills the cached unit-length item table
    model.fit(synthetic_sessions(seed=1))  # same items, new sessions: two gentle epochs from the current weights
    assert model.train_report["warm_start"] is True and len(model.train_report["loss_by_epoch"]) == 2
    assert not np.array_equal(before, model.arrays["emb"])
    assert np.abs(before - model.arrays["emb"]).mean() < np.abs(before).mean()  # a continuation, not a restart
    ids, _ = model.recommend([[0, 1], [3], [10]], k=1)
    assert ids[:, 0].tolist() == [2, 4, 11]
    # the similarity table follows the refitted weights (no stale cache)
    e = model.arrays["emb"][1:]
    unit = e / np.linalg.norm(e, axis=1, keepdims=True)
    np.testing.assert_allclose(model.similar_items([0], k=3)[1][0], np.sort(unit @ unit[0])[::-1][1:4], rtol=1e-5)
    # without warm_start a second fit starts over and gives the first fit's weights again
    cold = NeuralSession(dim=16, epochs=30, batch_size=64, negatives=8, lr=1e-2, threads=1)
    a = cold.fit(inter).arrays["emb"].copy()
    np.testing.assert_allclose(cold.fit(inter).arrays["emb"], a, rtol=1e-5, atol=1e-6)
