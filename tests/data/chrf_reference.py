"""Regenerates chrf_reference.csv: sentence-level chrF and chrF++ from sacrebleu.

Run once with `pip install sacrebleu==2.6.0 && python3 tests/data/chrf_reference.py`; the tests
read the committed CSV and do not need Python.
"""
import csv
import random

from sacrebleu.metrics import CHRF

chrf = CHRF()
chrf_pp = CHRF(word_order=2)

with open("tests/golden/witkoff-leak/segments.csv", newline="", encoding="utf-8") as f:
    texts = [row["text"] for row in csv.DictReader(f) if row["kind"] != "boilerplate"]

rng = random.Random(20251126)
pairs = [(rng.choice(texts), rng.choice(texts)) for _ in range(150)]
# Near pairs: the same text with words dropped, so scores spread over the whole range.
for text in rng.sample(texts, 40):
    words = text.split()
    kept = [w for w in words if rng.random() > 0.3]
    pairs.append((" ".join(kept), text))
pairs += [
    ("That's what dealmakers do.", "That's what a dealmaker does."),
    ("That's what dealmakers do.", "This is what a negotiator does"),
    ("", "nothing to match"),
    ("a", "a"),
    ("ab", "a b"),
    ("(hi) there, friend!", "hi there friend"),
    ("Зеленський сказав «ні».", "Зеленский сказал «нет»."),
    ("x\u001cy", "xy"),
    ("emoji 😀 test", "emoji test 😀"),
    ("The U.S. and the U.K.", "the us and the uk"),
]

with open("tests/data/chrf_reference.csv", "w", newline="", encoding="utf-8") as f:
    writer = csv.writer(f)
    writer.writerow(["hypothesis", "reference", "chrf", "chrf_plus_plus"])
    for hyp, ref in pairs:
        writer.writerow([hyp, ref, repr(chrf.sentence_score(hyp, [ref]).score),
                         repr(chrf_pp.sentence_score(hyp, [ref]).score)])
