"""§8.3 loss against hand-computed values."""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import torch  # noqa: E402

from train import combine, loss_terms, percep_loss  # noqa: E402


class LossTest(unittest.TestCase):
    def test_hand_values(self):
        # two valid gain entries, one masked; one valid strength entry, two masked
        g_hat = torch.tensor([[[0.25, 0.81, 0.3]]])
        g = torch.tensor([[[1.0, 0.49, -1.0]]])
        r_hat = torch.tensor([[[0.0, 0.9, 0.5]]])
        r = torch.tensor([[[0.75, -1.0, -1.0]]])
        # gain: e1 = 1 - sqrt(0.25 + 1e-7), e2 = 0.7 - sqrt(0.81 + 1e-7)
        e1 = 1.0 - math.sqrt(0.25 + 1e-7)
        e2 = 0.7 - math.sqrt(0.81 + 1e-7)
        lg = ((e1 ** 2 + 10 * e1 ** 4) + (e2 ** 2 + 10 * e2 ** 4)) / 2
        # strength: (1 - 0.75)^0.5 - (1 - 0)^0.5 = -0.5
        lr = 0.25 / 1
        self.assertAlmostEqual(float(percep_loss(g_hat, r_hat, g, r)), lg + lr, places=6)
        sg, ng, sr, nr = loss_terms(g_hat, r_hat, g, r)
        self.assertEqual(float(ng), 2.0)
        self.assertEqual(float(nr), 1.0)
        self.assertAlmostEqual(float(sg), 2 * lg, places=6)
        # e1 = 0.5 exactly up to the 1e-7 guard: 0.25 + 10 * 0.0625 = 0.875
        self.assertAlmostEqual(e1 ** 2 + 10 * e1 ** 4, 0.875, places=5)

    def test_under_weight_scales_only_under_estimates(self):
        # target 0.49 (sqrt 0.7); estimates 0.36 (sqrt 0.6, under) and 1.0 (sqrt 1.0, over)
        g = torch.tensor([[[0.49, 0.49]]])
        g_hat = torch.tensor([[[0.36, 1.0]]])
        r = torch.full((1, 1, 2), -1.0)
        eu = 0.7 - math.sqrt(0.36 + 1e-7)
        eo = 0.7 - math.sqrt(1.0 + 1e-7)
        term = lambda e: e ** 2 + 10 * e ** 4
        for under in (0.0, 1.0, 3.0):
            sg, ng, _, _ = loss_terms(g_hat, g_hat, g, r, under=under)
            self.assertAlmostEqual(float(sg), (1 + under) * term(eu) + term(eo), places=6)
        # the default is the paper's loss
        self.assertEqual(float(loss_terms(g_hat, g_hat, g, r)[0]), float(loss_terms(g_hat, g_hat, g, r, under=0.0)[0]))

    def test_under_weight_moves_the_minimiser_to_the_closed_form(self):
        # two equally likely targets 0.04 and 0.64 (square roots 0.2 and 0.8), quadratic term only:
        # the minimiser of (1+u)(0.8 - s)^2 + (0.2 - s)^2 is s = (0.2 + 0.8(1+u)) / (2+u), g = s^2
        g = torch.tensor([[[0.04, 0.64]]])
        r = torch.full((1, 1, 2), -1.0)
        grid = torch.linspace(0.01, 0.99, 981)
        for under in (0.0, 1.0, 3.0):
            losses = [float(loss_terms(torch.full((1, 1, 2), float(x)), torch.zeros(1, 1, 2), g, r, c4=0.0,
                                       under=under)[0]) for x in grid]
            best = float(grid[min(range(len(losses)), key=losses.__getitem__)])
            want = ((0.2 + 0.8 * (1 + under)) / (2 + under)) ** 2
            self.assertAlmostEqual(best, want, delta=0.002)
        # the paper's loss (u = 0) sits at 0.25, below the mean gain 0.34

    def test_all_masked_is_zero(self):
        x = torch.full((1, 3, 34), 0.3)
        m = torch.full((1, 3, 34), -1.0)
        self.assertEqual(float(percep_loss(x, x, m, m)), 0.0)

    def test_masked_entries_do_not_matter(self):
        g = torch.tensor([[[0.5, -1.0]]])
        r = torch.tensor([[[0.2, -1.0]]])
        a = percep_loss(torch.tensor([[[0.4, 0.0]]]), torch.tensor([[[0.1, 1.0]]]), g, r)
        b = percep_loss(torch.tensor([[[0.4, 0.9]]]), torch.tensor([[[0.1, 0.0]]]), g, r)
        self.assertEqual(float(a), float(b))

    def test_guards_give_finite_gradients(self):
        # g_hat = 0 and r_hat = 1 are where sqrt has infinite slope without the 1e-7 guards
        gh = torch.tensor([[[0.0, 1.0]]], requires_grad=True)
        rh = torch.tensor([[[1.0, 0.0]]], requires_grad=True)
        g = torch.tensor([[[1.0, 0.0]]])
        r = torch.tensor([[[0.0, 1.0]]])
        loss = percep_loss(gh, rh, g, r)
        loss.backward()
        self.assertTrue(torch.isfinite(loss))
        self.assertTrue(torch.isfinite(gh.grad).all())
        self.assertTrue(torch.isfinite(rh.grad).all())

    def test_perfect_prediction(self):
        g = torch.rand(2, 5, 34)
        r = torch.rand(2, 5, 34) * 0.99
        self.assertLess(float(percep_loss(g, r, g, r)), 1e-6)

    def test_combine_normalisation(self):
        # L = L_g / max(1, n_g) + L_r / max(1, n_r)
        self.assertEqual(combine(3.0, 2.0, 1.0, 0.0)[0], 1.5 + 1.0)


if __name__ == "__main__":
    unittest.main()
