"""Similar reflection essays (学习心得体会): which earlier essays a handed-in essay resembles, and
which passages they share, with nothing but the standard library.

Method. An essay is normalized (whitespace and punctuation dropped, Latin letters lowercased)
and cut into overlapping windows of `K` characters ("shingles"), each hashed to 64 bits. The
resemblance of two essays is the Jaccard index of their shingle sets; the share of one essay
found in the other is its containment. Comparing exactly needs both texts, so candidates are
found first with MinHash: `N` fixed hash functions, and for each the smallest value over the
essay's shingles. Two essays agree on a function's minimum with a probability equal to their
Jaccard index, so the share of agreeing positions estimates it (standard error
sqrt(J(1 - J)/N), about 0.03 at J = 0.2). Each signature is stored on its essay when the essay
is handed in; a new essay is ranked against all stored signatures, and only the top few
candidates are loaded and compared exactly.

Cost, at 5,000 stored essays of ~2,000 characters (measured with SQLite on one core of a small
server, 0.2 s in all): one query reads the 5,000 signatures (N numbers of 32 bits each, ~1.5 kB
of JSON, 7.5 MB in all; 0.07 s), ranking them is 5,000 × N comparisons done in C (0.02 s),
signing the new essay is ~2,000 × N multiplications (0.03 s), and one query loads the 20
candidates' texts, whose shingles are hashed and intersected exactly (0.06 s). Eight queries,
whatever the number of essays. Time and memory grow linearly: past ~100,000 essays the
signatures would go to LSH buckets (bands of the signature as indexed keys) instead of a scan.
"""

import hashlib
import heapq
import operator
import unicodedata

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from discussions.models import Essay, EssayMatch

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
    """Sign `essay` and store its `limit` most similar essays as EssayMatch rows, both ways, in
    place of its earlier matches; return its own rows, most similar first. Idempotent."""
    text = essay_text(essay.title, essay.body)
    mine = shingles(text)
    signature = _signature_of(mine)
    # The signature is committed before any other is read: of two essays handed in at the
    # same moment, the one that reads later sees the other, so the pair is compared.
    with transaction.atomic():
        if not handed_in(essay):
            return []  # returned meanwhile: compared again when handed in again
        Essay.objects.filter(pk=essay.pk).update(signature=signature)
    essay.signature = signature

    with transaction.atomic():
        if not handed_in(essay):
            return []
        # isnull, not signature=None: on a JSONField, None means the JSON value null.
        stored = Essay.objects.exclude(pk=essay.pk).filter(signature__isnull=False)
        ranked = heapq.nlargest(
            candidates,
            (
                (estimate(essay.signature, theirs), -other_id)
                for other_id, theirs in stored.values_list("id", "signature")
                # Signed with another N: stale, and not comparable; a re-sign would fix it.
                if len(theirs) == N
            ),
        )
        # No minimum in common: the exact index would almost surely be under FLOOR.
        candidate_ids = [-negated_id for score, negated_id in ranked if score > 0]
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
