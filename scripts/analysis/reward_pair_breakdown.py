# Breakdown of a RewardPairScores.java TSV: accuracy per family, and per corruption-level pair of one family
# (default arith-add). Usage: python3 scripts/analysis/reward_pair_breakdown.py PAIRS.tsv [FAMILY]
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
fam = collections.defaultdict(lambda: [0,0,0])
for r in rows:
    ok = float(r['r_chosen']) > float(r['r_rejected']); orc = float(r['p_chosen']) > 0.5
    f = fam[r['family']]; f[0]+=1; f[1]+=ok; f[2]+=orc
print("family n rm oracle")
for k,v in fam.items(): print(f"{k:16s} {v[0]:5d} {v[1]/v[0]:.3f} {v[2]/v[0]:.3f}")
target = sys.argv[2] if len(sys.argv) > 2 else 'arith-add'
by = collections.defaultdict(lambda: [0,0,0,0.0])
for r in rows:
    if r['family'] != target: continue
    a, b = sorted((int(r['chosen_level']), int(r['rejected_level'])))
    better_chosen = int(r['chosen_level']) < int(r['rejected_level'])
    rm_prefers_better = (float(r['r_chosen']) > float(r['r_rejected'])) == better_chosen
    ok = float(r['r_chosen']) > float(r['r_rejected']); orc = float(r['p_chosen']) > 0.5
    v = by[(a,b)]; v[0]+=1; v[1]+=ok; v[2]+=orc; v[3]+=rm_prefers_better
print(f"{target}: levels (better,worse) n rm_label_acc oracle_label_acc rm_gold_order")
for k in sorted(by): v=by[k]; print(k, v[0], f"{v[1]/v[0]:.3f} {v[2]/v[0]:.3f} {v[3]/v[0]:.3f}")
