"""Sentence embeddings for the semantic search layer: all-MiniLM-L6-v2, int8 ONNX.

The model ships in ``kb/search/embedding_model/`` (``manage.py export_embedding_model`` makes
it; PROVENANCE.md there says how and what it measured). Only onnxruntime and tokenizers run
it: no torch, no network. A vector is the mean of the last hidden state over the attention
mask, L2-normalised, so the dot product of two vectors is their cosine.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tokenizers import Tokenizer

DIMENSIONS = 384
BATCH_SIZE = 32
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
# Measured on the Stack Exchange duplicates: a title plus its opening 300 characters finds
# the original best; more body adds cost (tokens) and dilutes the title (PROVENANCE.md).
BODY_OPENING_CHARS = 300


class EmbeddingModelError(ImproperlyConfigured):
    """The model directory is missing, incomplete or unreadable."""


def embedding_text(title: str, body: str) -> str:
    """What a question or experience post is embedded from: its title and body opening.

    ``body`` is plain text (``SearchDocument.body``). The opening is cut at a word boundary.
    """
    title = " ".join(title.split())
    opening = " ".join(body[: BODY_OPENING_CHARS * 2].split())
    if len(opening) > BODY_OPENING_CHARS:
        opening = opening[:BODY_OPENING_CHARS].rsplit(" ", 1)[0]
    return f"{title}\n{opening}" if opening else title


class Encoder:
    """Turns texts into unit vectors of DIMENSIONS floats. Safe to share between threads."""

    def __init__(self, model_dir: Path | str, *, threads: int = 1, batch_size: int = BATCH_SIZE):
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self._tokenizer = _load_tokenizer(self.model_dir / TOKENIZER_FILE)
        self._session = _load_session(self.model_dir / MODEL_FILE, threads)
        self._input_names = {node.name for node in self._session.get_inputs()}

    @functools.cached_property
    def model_id(self) -> str:
        """Changes whenever the model or tokenizer files change: stored vectors then expire."""
        digest = hashlib.sha256()
        for name in (MODEL_FILE, TOKENIZER_FILE):
            digest.update((self.model_dir / name).read_bytes())
        return digest.hexdigest()[:12]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, float32, shape (len(texts), DIMENSIONS)."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # Texts of similar length share a batch, so little padding is computed.
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            vectors[batch] = self._encode_batch([texts[index] for index in batch])
        return vectors

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        input_ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        feeds = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(input_ids),
        }
        feeds = {name: value for name, value in feeds.items() if name in self._input_names}
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        return _normalise(_mean_pool(hidden, mask))


def _load_tokenizer(path: Path) -> Tokenizer:
    _require_file(path)
    try:
        return Tokenizer.from_file(str(path))
    except Exception as error:
        raise EmbeddingModelError(f"Cannot read the tokenizer {path}: {error}") from error


def _load_session(path: Path, threads: int) -> onnxruntime.InferenceSession:
    _require_file(path)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as error:
        raise EmbeddingModelError(f"Cannot load the embedding model {path}: {error}") from error


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise EmbeddingModelError(
            f"No {path.name} in {path.parent}: KB_EMBEDDING_MODEL_DIR must name a directory "
            "made by `manage.py export_embedding_model` (the default ships with CareerKB)."
        )


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[:, :, None].astype(np.float32)
    return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


_lock = threading.Lock()
_shared: tuple[tuple[Path, int], Encoder] | None = None


def get_encoder(threads: int | None = None) -> Encoder:
    """The process's encoder for settings.EMBEDDING_MODEL_DIR, loaded on first use.

    ``threads`` defaults to settings.EMBEDDING_THREADS; batch jobs (rebuild_index) ask for
    every core. A change of either (tests override settings) loads a new one in its place.
    """
    global _shared
    key = (Path(settings.EMBEDDING_MODEL_DIR), threads or settings.EMBEDDING_THREADS)
    shared = _shared
    if shared is None or shared[0] != key:
        with _lock:
            if _shared is None or _shared[0] != key:
                _shared = (key, Encoder(key[0], threads=key[1]))
            shared = _shared
    return shared[1]
