"""A model's word vocabulary held in a few flat arrays instead of a dict of Python strings, and its word vectors
read from the package's file as they are needed (:class:`RowsOnDisk`).

slovnet (natasha's NER tagger and syntax parser) keeps its 250,000-word vocabulary as a list of strings plus a
dict from word to id: about 40 MB of Python objects per process, for a lookup of each word it tags.
:class:`CompactVocab` answers the same lookups (``encode``, ``decode``, ``pad_id``, ``unk_id``) from the words'
UTF-8 bytes in one buffer, their ends, their Python hashes and an open-addressing table of ids: about 10 MB.
A lookup compares the word's bytes with the words of the same hash, so it answers exactly what the dict answers.
"""

from __future__ import annotations

import os
import re
import weakref
from array import array
from collections.abc import Iterable, Iterator

import numpy as np
import numpy.typing as npt

# What ``str.splitlines`` breaks lines at (slovnet reads its vocabularies with it).
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

UNK = "<unk>"  # slovnet's unknown-word and padding items
PAD = "<pad>"


def lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time, exactly as ``text.splitlines()`` lists them."""
    start = 0
    for found in _LINE_BREAK.finditer(text):
        yield text[start : found.start()]
        start = found.end()
    if start < len(text):
        yield text[start:]


class CompactVocab:
    """Word <-> id of a vocabulary (an id is the word's position; a repeated word maps to its last position)."""

    def __init__(self, words: Iterable[str]) -> None:
        data = bytearray()
        ends = array("q")
        hashes = array("q")
        for word in words:
            data += word.encode("utf-8")
            ends.append(len(data))
            hashes.append(hash(word))
        size = 1 << max(4, (2 * len(hashes)).bit_length())  # an open-addressing table at most half full
        slots = array("i", [-1]) * size
        mask = size - 1
        for word_id, key in enumerate(hashes):
            slot = key & mask
            while slots[slot] != -1:
                slot = (slot + 1) & mask
            slots[slot] = word_id
        self._data = bytes(data)
        self._ends = ends
        self._hashes = hashes
        self._slots = slots
        self._mask = mask
        self.unk_id = self._find(UNK)
        self.pad_id = self._find(PAD)

    def __len__(self) -> int:
        return len(self._ends)

    def __reduce__(self) -> tuple[type[CompactVocab], tuple[list[str]]]:
        """Pickled as its words: the hashes are this process's (``PYTHONHASHSEED``), another computes its own."""
        return (CompactVocab, ([self.decode(word_id) for word_id in range(len(self))],))

    def decode(self, word_id: int) -> str:
        """The word with id ``word_id``."""
        return self._word_bytes(word_id).decode("utf-8")

    def encode(self, word: str) -> int | None:
        """The id of ``word``, or ``unk_id`` when the vocabulary lacks it."""
        found = self._find(word)
        return self.unk_id if found is None else found

    def _word_bytes(self, word_id: int) -> bytes:
        return self._data[self._ends[word_id - 1] if word_id else 0 : self._ends[word_id]]

    def _find(self, word: str) -> int | None:
        key = hash(word)
        slots, hashes, mask = self._slots, self._hashes, self._mask
        slot = key & mask
        found = None
        while (word_id := slots[slot]) != -1:  # ids in insertion order: the last match wins
            if hashes[word_id] == key and self._word_bytes(word_id) == word.encode("utf-8"):
                found = word_id
            slot = (slot + 1) & mask
        return found


class RowsOnDisk:
    """A matrix of bytes stored row after row in a file, read with ``os.pread`` only for the rows indexed.

    natasha's embedding has a 100-byte row for each of its 250,000 words (25 MB). Mapped into memory, every row
    looked up brought its page and the kernel's fault-around neighbours into the process's resident memory (11 MB
    for a run over the bundled samples, all 25 MB in a long run); read on demand, the process holds only the rows of
    the batch it is tagging, and the file's pages stay in the kernel's shared page cache. Indexing with an array of
    ids gives what the same index of the whole matrix gives (``rows[ids]``), the same shape and dtype.
    """

    def __init__(self, path: str | os.PathLike[str], offset: int, rows: int, width: int) -> None:
        fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, fd)
        self._fd, self._offset, self._width = fd, offset, width
        self._path = os.fspath(path)
        self.shape = (rows, width)
        self.dtype = np.dtype(np.uint8)

    def __reduce__(self) -> tuple[type[RowsOnDisk], tuple[str, int, int, int]]:
        return RowsOnDisk, (self._path, self._offset, self.shape[0], self._width)  # reopened where unpickled

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, ids: npt.ArrayLike) -> npt.NDArray[np.uint8]:
        wanted = np.asarray(ids, dtype=np.int64)
        unique, positions = np.unique(wanted.ravel(), return_inverse=True)
        if unique.size and (unique[0] < 0 or unique[-1] >= self.shape[0]):
            raise IndexError(f"row ids must be in 0..{self.shape[0] - 1}")
        fd, offset, width = self._fd, self._offset, self._width
        data = b"".join(os.pread(fd, width, offset + row * width) for row in unique.tolist())
        found = np.frombuffer(data, np.uint8).reshape(len(unique), width)
        return found[positions].reshape(*wanted.shape, width)
