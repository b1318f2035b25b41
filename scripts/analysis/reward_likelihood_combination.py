#!/usr/bin/env python3
"""Would a reward that also reads the base's likelihood track the oracle? Post-hoc check, no training.

Inputs: a RewardPairScores TSV (reward-model scores of held-out pairs), a PairLikelihoods TSV (the base's log-likelihoods of
the same pairs) and the preference JSONL they index. Features per pair: reward difference, log-likelihood difference, and
length-normalised log-likelihood difference. Logistic models (no intercept) on subsets of the features are fitted on the
pairs of half of the prompts and evaluated on the other half, then the halves swap (2-fold cross-fitting by prompt), so
every pair is judged by weights fitted without its prompt. Prints accuracy against the drawn labels per family, with the
oracle's accuracy on the same labels (p_chosen > 1/2).

Usage: reward_likelihood_combination.py PAIRS.tsv LIKELIHOODS.tsv DATA.jsonl
"""
import csv
import json
import math
import random
import sys


def main(pairs_tsv, ll_tsv, data_jsonl):
    pairs = {r["row"]: r for r in csv.DictReader(open(pairs_tsv), delimiter="\t")}
    ll = {r["row"]: r for r in csv.DictReader(open(ll_tsv), delimiter="\t")}
    rows = [json.loads(line) for line in open(data_jsonl)]
    x, family, prompt, p_chosen = [], [], [], []
    for key, p in pairs.items():
        l = ll[key]
        reward = float(p["r_chosen"]) - float(p["r_rejected"])
        loglik = float(l["lp_chosen"]) - float(l["lp_rejected"])
        per_token = float(l["lp_chosen"]) / int(l["chosen_tokens"]) - float(l["lp_rejected"]) / int(l["rejected_tokens"])
        x.append((reward, loglik, per_token))
        family.append(p["family"])
        prompt.append(rows[int(key)]["prompt"])
        p_chosen.append(float(p["p_chosen"]))

    def fit(idx, feats):
        w = [0.0] * len(feats)
        for _ in range(3000):  # gradient ascent on the log-likelihood of the labels
            g = [0.0] * len(feats)
            for i in idx:
                z = max(-30.0, min(30.0, sum(w[j] * x[i][f] for j, f in enumerate(feats))))
                s = 1 / (1 + math.exp(-z))
                for j, f in enumerate(feats):
                    g[j] += (1 - s) * x[i][f]
            w = [w[j] + 0.05 * g[j] / len(idx) for j in range(len(feats))]
        return w

    prompts = sorted(set(prompt))
    random.Random(0).shuffle(prompts)
    first = set(prompts[: len(prompts) // 2])
    a = [i for i in range(len(x)) if prompt[i] in first]
    b = [i for i in range(len(x)) if prompt[i] not in first]
    models = {"reward head": [0], "likelihood": [1], "likelihood/token": [2], "head + likelihood": [0, 1],
              "head + both": [0, 1, 2]}
    right = {}
    for name, feats in models.items():
        r = [0] * len(x)
        for train, test in ((a, b), (b, a)):
            w = fit(train, feats)
            for i in test:
                r[i] = 1 if sum(w[j] * x[i][f] for j, f in enumerate(feats)) > 0 else 0
        right[name] = r
        print(f"{name}: weights fitted on the second half {[round(v, 3) for v in w]}")
    oracle = [1 if p > 0.5 else 0 for p in p_chosen]
    print("| family | " + " | ".join(models) + " | oracle | pairs |")
    print("|---|" + "---:|" * (len(models) + 2))
    for f in sorted(set(family)) + ["all"]:
        idx = [i for i in range(len(x)) if f == "all" or family[i] == f]
        cells = " | ".join(f"{sum(right[n][i] for i in idx) / len(idx):.3f}" for n in models)
        print(f"| {f} | {cells} | {sum(oracle[i] for i in idx) / len(idx):.3f} | {len(idx)} |")


if __name__ == "__main__":
    main(*sys.argv[1:4])
