"""The shipped sentence-embedding model: what it returns and how it fails."""

import numpy as np
import pytest

from kb.search.embeddings import (
    DIMENSIONS,
    EmbeddingModelError,
    Encoder,
    embedding_text,
    get_encoder,
)


@pytest.fixture
def encoder(settings):
    return get_encoder()


def test_vectors_are_unit_length_rows_in_the_order_given(encoder):
    texts = ["Should I do a PhD?", "", "career " * 400]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    alone = encoder.encode(["Should I do a PhD?"])[0]
    # int8 dynamic quantisation scales activations per batch: batch-mates move a vector a bit.
    assert float(alone @ vectors[0]) > 0.98


def test_paraphrases_are_nearer_than_other_topics(encoder):
    query, paraphrase, other = encoder.encode(
        [
            "Is grad school worth it?",
            "Should I do a PhD or go to industry?",
            "How do I negotiate my salary offer?",
        ]
    )
    assert float(query @ paraphrase) > float(query @ other) + 0.1


def test_embedding_text_is_the_title_and_the_opening_of_the_body():
    body = "word " * 200
    text = embedding_text("  A   title ", body)
    title, opening = text.split("\n")
    assert title == "A title"
    assert 250 < len(opening) <= 300
    assert opening.endswith("word")
    assert embedding_text("Only a title", "") == "Only a title"


def test_a_missing_model_directory_says_which_setting_to_fix(tmp_path):
    with pytest.raises(EmbeddingModelError, match="KB_EMBEDDING_MODEL_DIR"):
        Encoder(tmp_path)


def test_an_unreadable_model_file_is_a_clear_error(tmp_path, encoder):
    (tmp_path / "tokenizer.json").write_bytes((encoder.model_dir / "tokenizer.json").read_bytes())
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    with pytest.raises(EmbeddingModelError, match="Cannot load the embedding model"):
        Encoder(tmp_path)


def test_the_model_id_changes_with_the_model_files(tmp_path, encoder):
    for name in ("tokenizer.json", "model.onnx"):
        (tmp_path / name).write_bytes((encoder.model_dir / name).read_bytes())
    assert Encoder(tmp_path).model_id == encoder.model_id
    with (tmp_path / "tokenizer.json").open("a") as extra:
        extra.write(" ")
    assert Encoder(tmp_path).model_id != encoder.model_id
