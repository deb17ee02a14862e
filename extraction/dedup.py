"""Near-duplicate detection: MinHash signatures over word shingles and incremental story clustering.

Source-agnostic: works on (document id, text) pairs, so a wire story syndicated by several outlets and a
Telegram post reposted by other channels cluster the same way. Pure functions; the caller loads existing
signatures and stores the assignments. The caller need not load every known signature: only the ones that
share an LSH band (``LSH_BANDS`` x ``LSH_ROWS``) or the content hash with a new document can be matched.

Clustering is incremental: each new document is compared (through LSH) with the known signatures and with
the new documents before it; it joins the cluster of its most similar match when the estimated Jaccard
similarity reaches the threshold, else it starts a cluster whose id is its own document id.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

DEDUP_VERSION = "minhash-1-affine32"
NUM_PERM = 128
SHINGLE_WORDS = 3
SEED = 1
SCHEME = "affine32"  # datasketch's hashing scheme; stored signatures are only comparable within one scheme
THRESHOLD = 0.5  # estimated Jaccard similarity of 3-word shingle sets to call two texts the same story
MIN_TOKENS = 6  # shorter texts only match exact duplicates (same content hash)
# LSH banding: two signatures are candidates when all LSH_ROWS values of one of LSH_BANDS bands are equal.
# datasketch's own choice for MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM); the warehouse's band keys
# (macro ``minhash_band_keys``, warehouse/schema/051_minhash_bands.sql) use the same bands, so a candidate
# lookup there finds every document the in-memory LSH would.
LSH_BANDS = 25
LSH_ROWS = 5

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of ``text`` (NFKC, accents kept, punctuation dropped)."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower().replace("ё", "е"))


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Set of ``size``-word shingles; a text shorter than ``size`` words is one shingle."""
    return _shingles_of(tokens(text), size)


def _shingles_of(words: Sequence[str], size: int = SHINGLE_WORDS) -> set[str]:
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


# The signatures are datasketch's ``MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")`` of the shingles'
# UTF-8 bytes, value for value (tests/extraction/test_dedup.py compares them with datasketch's). The arithmetic is
# here rather than imported: importing datasketch imports scipy for its LSH parameter search (about 45 MB of a
# scheduled run's memory, issue 29), and telefeed fixes its bands instead of searching for them.
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
_MAX_HASH32 = np.uint32((1 << 32) - 1)


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations ``h -> a * h + b mod 2**32`` (``a`` odd) of every signature, drawn once from SEED
    the way datasketch draws them."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _sha1_hash32(data: bytes) -> int:
    return int.from_bytes(hashlib.sha1(data).digest()[:4], "little")


def _murmur_finaliser(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (an avalanching bijection) applied to each value."""
    s1, m1, s2, m2, s3 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


@dataclass(frozen=True, slots=True, eq=False)
class Signature:
    """A MinHash signature: NUM_PERM 32-bit minimum hash values."""

    hashvalues: np.ndarray

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets (the share of equal values)."""
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self.hashvalues)


def signature(text: str) -> Signature:
    """MinHash signature of the text's shingle set."""
    return _signature_of_words(tokens(text))


def _signature_of_words(words: Sequence[str]) -> Signature:
    hashes = np.array([_sha1_hash32(s.encode("utf-8")) for s in _shingles_of(words)], dtype=np.uint32)
    a, b = _permutations()
    values = np.full(NUM_PERM, _MAX_HASH32, dtype=np.uint32)
    if len(hashes):
        permuted = _murmur_finaliser(hashes.reshape(-1, 1)) * a + b  # uint32 arithmetic wraps: mod 2**32
        values = np.minimum(values, permuted.min(axis=0))
    return Signature(values)


def signature_to_bytes(sig: Signature) -> bytes:
    """Hash values as little-endian uint64 bytes (the stored form)."""
    return np.asarray(sig.hashvalues, dtype="<u8").tobytes()


def signature_from_bytes(data: bytes) -> Signature:
    """Inverse of :func:`signature_to_bytes`."""
    return Signature(np.frombuffer(data, dtype="<u8").astype(np.uint32))


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document to cluster: its id, text and exact-duplicate hash."""

    document_id: str
    text: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class SignedDocument:
    """A new document with its signature computed (see :func:`sign`)."""

    document: NewDocument
    token_count: int
    signature: Signature | None  # None for texts with fewer than MIN_TOKENS tokens

    @property
    def signature_bytes(self) -> bytes | None:
        """The signature in its stored form."""
        return signature_to_bytes(self.signature) if self.signature is not None else None


def sign(doc: NewDocument) -> SignedDocument:
    """Tokenise ``doc`` and compute its MinHash signature (texts shorter than MIN_TOKENS tokens get none)."""
    words = tokens(doc.text)
    return SignedDocument(doc, len(words), _signature_of_words(words) if len(words) >= MIN_TOKENS else None)


@dataclass(frozen=True, slots=True)
class KnownDocument:
    """A document already clustered: id, stored signature (None for short texts), hash, cluster."""

    document_id: str
    signature: bytes | None
    content_hash: str
    cluster_id: str


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one new document went."""

    document_id: str
    cluster_id: str
    similarity: float  # to ``matched_document_id``; 1.0 for a new cluster's founder
    matched_document_id: str | None  # None: founded a new cluster
    method: str  # "exact" | "minhash" | "new"
    signature: bytes | None  # None for texts with fewer than MIN_TOKENS tokens
    token_count: int


class BandIndex:
    """LSH over signatures: two signatures are candidates when all LSH_ROWS values of one of LSH_BANDS bands
    are equal (the candidates datasketch's ``MinHashLSH`` with ``params=(LSH_BANDS, LSH_ROWS)`` returns)."""

    def __init__(self, bands: int = LSH_BANDS, rows: int = LSH_ROWS) -> None:
        self._ranges = [(band * rows, (band + 1) * rows) for band in range(bands)]
        self._tables: list[dict[bytes, list[str]]] = [{} for _ in range(bands)]

    def insert(self, key: str, sig: Signature) -> None:
        """Index ``sig`` under ``key``."""
        for (start, end), table in zip(self._ranges, self._tables, strict=True):
            table.setdefault(sig.hashvalues[start:end].tobytes(), []).append(key)

    def query(self, sig: Signature) -> set[str]:
        """Keys of the indexed signatures sharing a band with ``sig``."""
        found: set[str] = set()
        for (start, end), table in zip(self._ranges, self._tables, strict=True):
            found.update(table.get(sig.hashvalues[start:end].tobytes(), ()))
        return found


class StoryClusterer:
    """Incremental clustering state: an LSH index over known signatures plus exact-hash lookup.

    The LSH always bands signatures as ``LSH_BANDS`` x ``LSH_ROWS`` (the warehouse's band keys), whatever the
    ``threshold``; the threshold decides which candidates join.
    """

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = BandIndex()
        self._signatures: dict[str, Signature] = {}
        self._cluster_of: dict[str, str] = {}
        self._by_hash: dict[str, str] = {}

    def add_known(self, known: Iterable[KnownDocument]) -> None:
        """Load documents clustered earlier."""
        for doc in known:
            sig = signature_from_bytes(doc.signature) if doc.signature else None
            self._remember(doc.document_id, sig, doc.content_hash, doc.cluster_id)

    def _remember(self, document_id: str, sig: Signature | None, content_hash: str, cluster_id: str) -> None:
        if document_id in self._cluster_of:
            return
        self._cluster_of[document_id] = cluster_id
        self._by_hash.setdefault(content_hash, document_id)
        if sig is not None:
            self._signatures[document_id] = sig
            self._lsh.insert(document_id, sig)

    def assign(self, new: NewDocument | SignedDocument) -> Assignment:
        """Cluster one new document (and remember it for the next ones)."""
        signed = new if isinstance(new, SignedDocument) else sign(new)
        doc, sig, count = signed.document, signed.signature, signed.token_count
        sig_bytes = signed.signature_bytes
        if doc.document_id in self._cluster_of:  # already known: report where it is
            cluster = self._cluster_of[doc.document_id]
            return Assignment(doc.document_id, cluster, 1.0, None, "known", sig_bytes, count)
        exact = self._by_hash.get(doc.content_hash) if count else None
        if exact is not None:
            cluster = self._cluster_of[exact]
            self._remember(doc.document_id, sig, doc.content_hash, cluster)
            return Assignment(doc.document_id, cluster, 1.0, exact, "exact", sig_bytes, count)
        best_id, best_sim = None, 0.0
        if sig is not None:
            for candidate in self._lsh.query(sig):
                similarity = float(sig.jaccard(self._signatures[candidate]))
                if similarity > best_sim or (similarity == best_sim and best_id is not None and candidate < best_id):
                    best_id, best_sim = candidate, similarity
        if best_id is not None and best_sim >= self.threshold:
            cluster = self._cluster_of[best_id]
            self._remember(doc.document_id, sig, doc.content_hash, cluster)
            return Assignment(doc.document_id, cluster, round(best_sim, 4), best_id, "minhash", sig_bytes, count)
        self._remember(doc.document_id, sig, doc.content_hash, doc.document_id)
        return Assignment(doc.document_id, doc.document_id, 1.0, None, "new", sig_bytes, count)


def cluster_documents(
    new: Sequence[NewDocument], known: Iterable[KnownDocument] = (), threshold: float = THRESHOLD
) -> list[Assignment]:
    """Assign each new document (in the given order, e.g. by first-seen time) to a story cluster."""
    clusterer = StoryClusterer(threshold)
    clusterer.add_known(known)
    return [clusterer.assign(doc) for doc in new]
