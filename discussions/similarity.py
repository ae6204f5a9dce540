"""Similar reflection essays (学习心得体会): which earlier essays a handed-in essay resembles, and
which passages they share, with nothing but the standard library.

Method. An essay is normalized (whitespace and punctuation dropped, Latin letters lowercased)
and cut into overlapping windows of `K` characters ("shingles"), each hashed to 64 bits. The
resemblance of two essays is the Jaccard index of their shingle sets; the share of one essay
found in the other is its containment. Comparing exactly needs both texts, so candidates are
found first, through an index, and only they are loaded and compared exactly.

The index (locality-sensitive hashing). Each handed-in essay gets `BANDS` = 128 rows in
EssayBand: its 20-character windows (`MIN_SPAN`, a passage long enough to be highlighted) are
hashed (a rolling hash), the hash's top 7 bits pick a band, and the band keeps the smallest
hash that falls in it (one-permutation MinHash: 128 minima for one hash per window). Two
essays have the same (band, hash) with a probability equal to the Jaccard index J of their
20-character windows, so with 128 bands of one row each a pair is found with probability
1 - (1 - J)^128:

    J (20-character windows)   0.01   0.02   0.03   0.05     0.10      0.20
    found                      0.72   0.92   0.98   0.9986   1 - 1e-6  1 - 4e-13

and the number of bands in common estimates J, which ranks the candidates. One paragraph of
ten copied is J ~ 0.05 (0.13 with 5-character shingles); three (the demo's copier) J ~ 0.17
(0.25); an essay marked in red on the review list (similarity 0.3 or more) J ~ 0.2 or more.
More rows per band would cut the candidates, but with 64 bands of 2 rows a one-paragraph copy
is found with probability 1 - (1 - 0.05^2)^64 = 0.15. The long windows already do what rows
do with short shingles: essays on one theme share stock phrases, many 5-character shingles (J
0.07 between any two of the tests' essays) but few 20-character windows (J 0.0001), so
unrelated essays seldom meet in a band. Bands of the stored signature would not separate them
(a copier of three paragraphs is at J 0.25 there, unrelated essays at 0.07): among the bench's
150,000 essays, with 128 bands of 1 row nearly every essay is a candidate (1.3 million rows
read), with 64 of 2 rows 40,000 are and the essay copied from comes 15th, with 42 of 3 rows
it is not found. Hence what changed for reviewers: an essay is listed when it shares a
passage, no longer when it only shares the theme's words. An essay whose copied passages are
changed every 20 characters or more often shares no window and is not found (every 25
characters: found with probability ~0.9).

Cost. One query finds the essays that share a (band, hash) with the new one and counts the
bands each shares, through the (band, hash) index: its work is the number of rows in those
128 buckets, the few copies plus the essays that share a boilerplate passage with it (the same
title and opening sentence), not the number of essays. The `candidates` sharing the most bands
are loaded and compared exactly. bench/essay_similarity.py: see bench/README.md.

A signature (`N` MinHash values of the 5-character shingles) is still stored on each
handed-in essay: it says the essay has been compared (tasks.essays_compare_pending), and
estimate() gives the resemblance of two signed texts without the texts.
"""

import hashlib
import operator
import unicodedata

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from discussions.models import Essay, EssayBand, EssayMatch

# Shingle length, in normalized characters. A Chinese word is one to four characters, so five
# characters span two or three words, like the word trigrams used for English text. Shorter
# windows are shared by any two essays on the same theme (工作, 群众, 派出所 as 3-grams), which
# crowds every Jaccard index into one narrow band; with K = 5 a stock phrase such as 派出所所长
# is a single shingle among ~2,000, while a copied paragraph brings every one of its shingles.
# Longer windows let a copier hide a sentence by changing one character in every K. On the
# tests' essays (one theme, shared vocabulary), an essay with 30 % copied stands at 3× the Jaccard
# index of the next essay with K = 5 (1.8× with K = 3), and still at 1.8× when one copied
# character in ten is changed, where K = 8 falls to 1.4×.
K = 5

# MinHash functions. 128 keeps the estimate's error near 0.03, enough to put a copied essay
# in the top candidates, and the signatures small enough to read thousands at once.
N = 128

# Minima are kept to their low 32 bits ("b-bit MinHash"): two different minima agree there by
# chance once in four billion, and the stored numbers stay JSON-safe in any language.
_LOW_BITS = 0xFFFFFFFF

# A signature of a text with no shingles: below every real minimum, and ignored by estimate().
EMPTY = -1

# Shared passages shorter than this (normalized characters) are not highlighted: stock
# phrases are shared by essays written independently (对党忠诚、服务人民、执法公正、纪律严明 is
# 16 characters, 坚持和发展新时代枫桥经验 11), a copied sentence is longer.
MIN_SPAN = 20
# Changed characters tolerated inside a passage: a word, as a copier changes 我们 into 我所.
MAX_GAP = 2

# Exact Jaccard index below which another essay is not listed: essays on other subjects share
# only scattered phrases. Essays on the same theme often score above it, and are listed with
# their low figure.
FLOOR = 0.02

_PRIME = (1 << 61) - 1  # Mersenne prime: hash values are taken modulo it.

# The index's bands: the top _BAND_BITS bits of a window's hash are its band. 128 bands of one
# row each (see the module's docstring for the probabilities).
_BAND_BITS = 7
BANDS = 1 << _BAND_BITS


def _seeded(i, part):
    """A fixed 61-bit number for MinHash function `i`, the same on every machine and version."""
    digest = hashlib.blake2b(f"jingxun-minhash-{i}-{part}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % _PRIME


# Seeds from blake2b rather than random.Random: a stored signature is only comparable with one
# made by the same functions, so they must not depend on Python's random module.
_PERMUTATIONS = tuple((_seeded(i, "a") or 1, _seeded(i, "b")) for i in range(N))


def normalize(text):
    """Return `text` without whitespace and punctuation, lowercased, and for each character
    kept its index in `text`.

    NFKC folds full-width Latin letters and digits (ＡＢＣ１２３) into ASCII ones, so a text
    typed with a Chinese input method matches the same text typed otherwise."""
    kept = []
    positions = []
    for index, char in enumerate(text):
        folded = char if char.isascii() else unicodedata.normalize("NFKC", char)
        for part in folded.lower():
            if part.isalnum():
                kept.append(part)
                positions.append(index)
    return "".join(kept), positions


def _window_hashes(normalized, k):
    """The 64-bit hash of each `k`-character window of `normalized`, in order."""
    # blake2b, not hash(): str hashes change with every process (PYTHONHASHSEED).
    return [
        int.from_bytes(
            hashlib.blake2b(normalized[i : i + k].encode(), digest_size=8).digest(), "big"
        )
        for i in range(len(normalized) - k + 1)
    ]


def shingles(text, k=K):
    """The set of hashes of the `k`-character windows of the normalized `text` (none if it is
    shorter than `k`)."""
    return set(_window_hashes(normalize(text)[0], k))


def _signature_of(shingle_set):
    """The MinHash signature of a set of shingle hashes."""
    if not shingle_set:
        return [EMPTY] * N
    values = [value % _PRIME for value in shingle_set]
    return [min((a * x + b) % _PRIME for x in values) & _LOW_BITS for a, b in _PERMUTATIONS]


def signature(text):
    """The MinHash signature of `text`: N ints, JSON-serializable; all EMPTY for a text without
    shingles, which matches no other signature."""
    return _signature_of(shingles(text))


# The passages' hashes: a polynomial (Rabin-Karp) hash of each window's code points modulo
# _PRIME, rolled along the text (a multiplication per character, not a blake2b per window),
# then mixed by splitmix64's finalizer so that its top bits, which pick the band, are as
# random as the others.
_ROLL = _seeded(0, "passage") or 1
_MASK64 = (1 << 64) - 1


def _mixed(value):
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


def _passage_hashes(normalized):
    """The 64-bit hash of each MIN_SPAN-character window of `normalized`, in order."""
    codes = [ord(char) for char in normalized]
    if len(codes) < MIN_SPAN:
        return []
    leaving = pow(_ROLL, MIN_SPAN - 1, _PRIME)  # the weight of a window's first character
    value = 0
    for code in codes[:MIN_SPAN]:
        value = (value * _ROLL + code) % _PRIME
    hashes = [_mixed(value)]
    for old, new in zip(codes, codes[MIN_SPAN:], strict=False):
        value = ((value - old * leaving) * _ROLL + new) % _PRIME
        hashes.append(_mixed(value))
    return hashes


def passage_bands(text):
    """The index's bands of `text`: {band: hash} for each band that one of its MIN_SPAN-character
    windows falls into, the smallest such hash, as a signed 64-bit integer (a bigint column).
    Empty for a text shorter than MIN_SPAN characters."""
    smallest = {}
    for value in _passage_hashes(normalize(text)[0]):
        band = value >> (64 - _BAND_BITS)
        if value < smallest.get(band, 1 << 64):
            smallest[band] = value
    # Shifted, not wrapped: only the equality of two hashes matters, and that they fit.
    return {band: value - (1 << 63) for band, value in sorted(smallest.items())}


def essay_bands_replace(*, essay_id, bands):
    """Put `bands` (passage_bands of the essay's text) in the index in place of the essay's
    earlier ones, inside the caller's transaction, the one that stores its signature."""
    EssayBand.objects.filter(essay_id=essay_id).delete()
    EssayBand.objects.bulk_create(
        EssayBand(essay_id=essay_id, band=band, hash=value) for band, value in bands.items()
    )


def sharing_bands(*, essay_id, bands, limit):
    """The ids of the `limit` other essays that share the most of `bands` with this one, most
    first (ties: the earliest essay): one query through the (band, hash) index."""
    if not bands:
        return []
    same_band = Q()
    for band, value in bands.items():
        same_band |= Q(band=band, hash=value)
    return list(
        EssayBand.objects.filter(same_band)
        .exclude(essay_id=essay_id)
        .values("essay_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "essay_id")
        .values_list("essay_id", flat=True)[:limit]
    )


def estimate(sig_a, sig_b):
    """The Jaccard index of two texts estimated from their signatures, in [0, 1]."""
    if len(sig_a) != len(sig_b):
        raise ValueError(f"Signatures of different lengths: {len(sig_a)} and {len(sig_b)}.")
    if not sig_a or sig_a[0] == EMPTY or sig_b[0] == EMPTY:
        return 0.0
    return sum(map(operator.eq, sig_a, sig_b)) / len(sig_a)


def _overlap(set_a, set_b):
    """(Jaccard index, containment of a in b, containment of b in a) of two shingle sets."""
    shared = len(set_a & set_b)
    union = len(set_a) + len(set_b) - shared
    return (
        shared / union if union else 0.0,
        shared / len(set_a) if set_a else 0.0,
        shared / len(set_b) if set_b else 0.0,
    )


def compare(text_a, text_b):
    """(Jaccard index, containment of a in b) of two texts, exactly from their shingles."""
    jaccard, a_in_b, _b_in_a = _overlap(shingles(text_a), shingles(text_b))
    return jaccard, a_in_b


def shared_spans(text, other):
    """The passages of `text` found in `other`, for highlighting: sorted, disjoint (start, end)
    offsets in `text`."""
    normalized, positions = normalize(text)
    found = shingles(other)
    covered = [False] * len(normalized)
    for start, value in enumerate(_window_hashes(normalized, K)):
        if value in found:
            covered[start : start + K] = [True] * K
    # Runs of covered normalized characters: two shared sentences separated only by
    # punctuation, spaces or a line break are one run.
    runs = []
    for index, is_covered in enumerate(covered):
        if not is_covered:
            continue
        if runs and runs[-1][1] == index:
            runs[-1][1] = index + 1
        else:
            runs.append([index, index + 1])
    # A passage is a group of runs separated by at most MAX_GAP changed characters: a copier
    # who changes a word here and there still copies the passage, and the changed words stay
    # unmarked. A lone stock phrase is too short to count as one.
    spans = []
    passage = []
    for run in [*runs, None]:
        if passage and (run is None or run[0] - passage[-1][1] > MAX_GAP):
            if sum(end - start for start, end in passage) >= MIN_SPAN:
                spans += [(positions[start], positions[end - 1] + 1) for start, end in passage]
            passage = []
        if run is not None:
            passage.append(run)
    return spans


def highlight(text, spans):
    """`text` HTML-escaped, with each (start, end) span of `spans` wrapped in <mark>, as a
    SafeString; line breaks are kept for CSS white-space: pre-wrap."""
    parts = []
    cursor = 0
    for start, end in sorted(spans):
        start = max(start, cursor)  # an overlapping span is marked from where the last ended
        if start >= end:
            continue
        parts += [escape(text[cursor:start]), "<mark>", escape(text[start:end]), "</mark>"]
        cursor = end
    parts.append(escape(text[cursor:]))
    # Safe: every piece of the text went through escape() above.
    return mark_safe("".join(parts))


def essay_text(title, body):
    """The text of an essay as it is signed and compared: its title, then its body."""
    return f"{title}\n{body}"


def handed_in(essay):
    """Lock the essay's row and say whether it is still handed in (not returned meanwhile)."""
    return (
        Essay.objects.select_for_update()
        .filter(pk=essay.pk, status=Essay.Status.SUBMITTED)
        .exists()
    )


def essay_matches_update(*, essay, limit=5, candidates=20):
    """Sign `essay`, index its bands and store its `limit` most similar essays as EssayMatch
    rows, both ways, in place of its earlier matches; return its own rows, most similar first.
    Idempotent."""
    text = essay_text(essay.title, essay.body)
    mine = shingles(text)
    signature = _signature_of(mine)
    bands = passage_bands(text)
    # The signature and the bands are committed before any other essay's are read: of two
    # essays handed in at the same moment, the one that reads later sees the other, so the
    # pair is compared.
    with transaction.atomic():
        if not handed_in(essay):
            return []  # returned meanwhile: compared again when handed in again
        Essay.objects.filter(pk=essay.pk).update(signature=signature)
        essay_bands_replace(essay_id=essay.pk, bands=bands)
    essay.signature = signature

    with transaction.atomic():
        if not handed_in(essay):
            return []
        # Every other handed-in essay is in the index (its bands are written with its
        # signature and removed with it); those sharing no passage are not candidates.
        candidate_ids = sharing_bands(essay_id=essay.pk, bands=bands, limit=candidates)
        # Essays that listed this one keep their rows, recomputed against the current text: a
        # much-copied essay appears in more lists than its own top `limit`.
        listing_ids = set(EssayMatch.objects.filter(other=essay).values_list("essay_id", flat=True))
        overlaps = {
            other_id: _overlap(mine, shingles(essay_text(title, body)))
            for other_id, title, body in Essay.objects.filter(
                pk__in={*candidate_ids, *listing_ids}
            ).values_list("id", "title", "body")
        }

        top = sorted(
            (other_id for other_id in candidate_ids if overlaps[other_id][0] >= FLOOR),
            key=lambda other_id: (-overlaps[other_id][0], other_id),
        )[:limit]
        now = timezone.now()
        rows = [
            EssayMatch(
                essay_id=essay.pk,
                other_id=other_id,
                similarity=overlaps[other_id][0],
                containment=overlaps[other_id][1],
                computed_at=now,
            )
            for other_id in top
        ]
        rows += [
            EssayMatch(
                essay_id=other_id,
                other_id=essay.pk,
                similarity=overlaps[other_id][0],
                containment=overlaps[other_id][2],
                computed_at=now,
            )
            for other_id in sorted({*top, *listing_ids})
            if overlaps.get(other_id, (0.0,))[0] >= FLOOR
        ]

        EssayMatch.objects.filter(Q(essay=essay) | Q(other=essay)).delete()
        # An upsert: the essay handed in at the same moment may be writing the same pair.
        EssayMatch.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["essay", "other"],
            update_fields=["similarity", "containment", "computed_at"],
        )
    return rows[: len(top)]
