#!/usr/bin/env python3
"""Does a reward model's held-out accuracy follow the oracle's as pairs get harder?

Usage: reward_tracking_by_difficulty.py PAIRS.tsv [PAIRS.tsv ...]
PAIRS.tsv as RewardPairScores writes it (columns p_chosen, r_chosen, r_rejected). Pairs are binned by how sure the
Bradley-Terry oracle is, max(p, 1 - p) with p its probability that the chosen response wins; per bin it prints the
reward model's accuracy on the drawn labels, the oracle's own accuracy on the same labels (gold order agrees with the
label) and the oracle's expected accuracy (mean of max(p, 1 - p)).
"""
import csv
import sys

BINS = [(0.5, 0.6), (0.6, 0.75), (0.75, 0.9), (0.9, 0.99), (0.99, 1.0000001)]

for path in sys.argv[1:]:
    rows = list(csv.DictReader(open(path), delimiter='\t'))
    print(path)
    print('  oracle certainty     pairs  model  oracle(labels)  oracle(expected)')
    for lo, hi in BINS + [(0.5, 1.0000001)]:
        sel = [r for r in rows if lo <= max(float(r['p_chosen']), 1 - float(r['p_chosen'])) < hi]
        if not sel:
            continue
        n = len(sel)
        model = sum(float(r['r_chosen']) > float(r['r_rejected']) for r in sel) / n
        oracle = sum(float(r['p_chosen']) > 0.5 for r in sel) / n
        expected = sum(max(float(r['p_chosen']), 1 - float(r['p_chosen'])) for r in sel) / n
        label = 'all' if (lo, hi) == (0.5, 1.0000001) else '[%.2f, %.2f)' % (lo, min(hi, 1.0))
        print('  %-18s %6d  %.3f  %.3f           %.3f' % (label, n, model, oracle, expected))
