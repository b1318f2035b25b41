#!/usr/bin/env python3
"""Post-hoc check: would adding the base's response log-likelihood, with a weight per task family, help a reward model?

Usage: reward_plus_base_likelihood.py PAIRS.tsv LIKELIHOODS.tsv
PAIRS.tsv from RewardPairScores (held-out pairs and the reward model's scores), LIKELIHOODS.tsv from PairLikelihoods (the
base's log-likelihoods of the same rows). For each family and weight a in ALPHAS the pair is ranked by
(r_chosen - r_rejected) + a (lp_chosen - lp_rejected); the cross-fitted column picks a on one half of the prompts (blocks
of 11 rows) and scores the other half, then swaps. A gate read from the state (the dual-likelihood head) can learn at
least a weight per family, so the cross-fitted column is a rough target for it. Unlike reward_likelihood_combination.py
(one weight for all families), the weight here may differ per family.
"""
import collections
import csv
import sys

ALPHAS = [0, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5]


def accuracy(a, pairs):
    return sum(d + a * b > 0 for _, d, b, _ in pairs) / len(pairs)


def main(pairs_tsv, ll_tsv):
    scores = {p['row']: p for p in csv.DictReader(open(pairs_tsv), delimiter='\t')}
    ll = {p['row']: p for p in csv.DictReader(open(ll_tsv), delimiter='\t')}
    families = collections.defaultdict(list)
    for row, p in scores.items():
        q = ll[row]
        d = float(p['r_chosen']) - float(p['r_rejected'])
        b = float(q['lp_chosen']) - float(q['lp_rejected'])
        families[p['family']].append((int(row), d, b, float(p['p_chosen']) > 0.5))
    print('| family | pairs | oracle | ' + ' | '.join('a=%g' % a for a in ALPHAS) + ' | cross-fitted |')
    print('|---|---:|---:|' + '---:|' * (len(ALPHAS) + 1))
    total = collections.Counter()
    for family, pairs in sorted(families.items()):
        crossfit = 0
        for half in (0, 1):
            fit = [x for x in pairs if (x[0] // 11) % 2 == half]
            test = [x for x in pairs if (x[0] // 11) % 2 != half]
            best = max(ALPHAS, key=lambda a: accuracy(a, fit))
            crossfit += sum(d + best * b > 0 for _, d, b, _ in test)
        oracle = sum(o for *_, o in pairs)
        print('| %s | %d | %.3f | %s | %.3f |' % (family, len(pairs), oracle / len(pairs),
                                                  ' | '.join('%.3f' % accuracy(a, pairs) for a in ALPHAS), crossfit / len(pairs)))
        total['n'] += len(pairs)
        total['oracle'] += oracle
        total['crossfit'] += crossfit
        for a in ALPHAS:
            total[a] += accuracy(a, pairs) * len(pairs)
    n = total['n']
    print('| all | %d | %.3f | %s | %.3f |' % (n, total['oracle'] / n, ' | '.join('%.3f' % (total[a] / n) for a in ALPHAS),
                                             total['crossfit'] / n))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
