# Where a reward model falls short of the oracle, split by what the base model knows. Inputs: a RewardPairScores.java
# TSV of held-out pairs (reward model scores, the last-token part in its last two columns) and a PairLikelihoods.java
# TSV of the same pairs under the base the reward model started from. For each family and corruption-level pair:
# pairs, the reward model's accuracy on the drawn labels, the oracle's, the base likelihood's agreement with the gold
# order, and the reward model's shortfall in correct pairs; then the shortfall on pair types the base's likelihood
# orders right (>= 0.8) and on the rest.
# Usage: python3 scripts/analysis/reward_knowledge_breakdown.py PAIRS.tsv BASE_LL.tsv [FAMILY ...]
import csv, sys, collections
pairs = {r['row']: r for r in csv.DictReader(open(sys.argv[1]), delimiter='\t')}
ll = {r['row']: r for r in csv.DictReader(open(sys.argv[2]), delimiter='\t')}
families = sys.argv[3:] or sorted({r['family'] for r in pairs.values()})
cells = collections.defaultdict(lambda: [0, 0, 0, 0])  # pairs, rm right (labels), oracle right (labels), base ll gold order
for row, p in pairs.items():
    c, l = int(p['chosen_level']), int(p['rejected_level'])
    v = cells[(p['family'], min(c, l), max(c, l))]
    v[0] += 1
    v[1] += float(p['r_chosen']) > float(p['r_rejected'])
    v[2] += float(p['p_chosen']) > 0.5
    if row in ll:
        v[3] += (float(ll[row]['lp_chosen']) > float(ll[row]['lp_rejected'])) == (c < l)
known = [0, 0]; unknown = [0, 0]  # pairs, shortfall
print("family          levels  pairs  rm     oracle  base-ll  shortfall")
for key in sorted(cells):
    if key[0] not in families:
        continue
    n, rm, oracle, base = cells[key]
    short = oracle - rm
    bucket = known if base / n >= 0.8 else unknown
    bucket[0] += n; bucket[1] += short
    print(f"{key[0]:15s} ({key[1]},{key[2]})  {n:5d}  {rm/n:.3f}  {oracle/n:.3f}   {base/n:.3f}    {short:+d}")
print(f"pair types the base orders right (>= 0.8): {known[0]} pairs, shortfall {known[1]} "
      f"({known[1]/max(known[0],1):.3f}); the rest: {unknown[0]} pairs, shortfall {unknown[1]} ({unknown[1]/max(unknown[0],1):.3f})")
