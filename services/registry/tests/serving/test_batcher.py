"""Continuous batching on a tiny random Llama: every row answers exactly as it would alone."""

import asyncio
from pathlib import Path

import pytest
import torch

from tuneline.registry.serving.batcher import ContinuousBatcher, ServerClosed
from tuneline.registry.serving.engine import AdapterEngine, AdapterLoadError, GenerationParams, StreamEnd

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture
def engine(registry_tiny_model: Path) -> AdapterEngine:
    return AdapterEngine(str(registry_tiny_model), max_loaded=3)


def requests(engine: AdapterEngine, adapters: list[Path]) -> list[tuple[str, str | None, list[int], int]]:
    """Prompts of different lengths, three adapters and the bare base, different output lengths."""
    return [
        ("v0", str(adapters[0]), engine.encode_text("pump 3 overheating badly now on the night shift"), 9),
        ("v1", str(adapters[1]), engine.encode_text("valve"), 5),
        ("base", None, engine.encode_text("conveyor belt slipping on line two"), 12),
        ("v2", str(adapters[2]), engine.encode_chat([{"role": "user", "content": "motor trips"}]), 3),
        ("v0", str(adapters[0]), engine.encode_text("gearbox"), 7),
    ]


async def test_concurrent_rows_of_mixed_adapters_answer_exactly_as_one_by_one(
    engine: AdapterEngine, registry_adapters: list[Path]
) -> None:
    items = requests(engine, registry_adapters)
    alone = [engine.generate(v, u, ids, GenerationParams(n, 0)) for v, u, ids, n in items]
    batcher = ContinuousBatcher(engine, max_batch=8)
    try:
        together = await asyncio.gather(
            *(batcher.generate(v, u, ids, GenerationParams(n, 0)) for v, u, ids, n in items)
        )
    finally:
        batcher.close()
    assert together == alone
    assert batcher.peak_batch >= 4  # they really shared steps
    assert batcher.active == 0 and batcher.finished == len(items)


async def test_a_request_joins_a_running_batch_and_leaves_it_when_done(
    engine: AdapterEngine, registry_adapters: list[Path]
) -> None:
    """Rows arrive while others are mid-generation (the cache is re-padded) and leave at different steps."""
    items = requests(engine, registry_adapters)
    alone = [engine.generate(v, u, ids, GenerationParams(n, 0)) for v, u, ids, n in items]
    batcher = ContinuousBatcher(engine, max_batch=8)

    async def later(i: int) -> object:
        await asyncio.sleep(0.01 * i)
        v, u, ids, n = items[i]
        return await batcher.generate(v, u, ids, GenerationParams(n, 0))

    try:
        staggered = await asyncio.gather(*(later(i) for i in range(len(items))))
        steps_for_all = batcher.steps
    finally:
        batcher.close()
    assert staggered == alone
    # one step decodes every active row: far fewer steps than the tokens generated
    assert steps_for_all < sum(r.tokens_out for r in alone)


async def test_batch_room_is_bounded_and_the_rest_wait_their_turn(
    engine: AdapterEngine, registry_adapters: list[Path]
) -> None:
    items = requests(engine, registry_adapters)
    alone = [engine.generate(v, u, ids, GenerationParams(n, 0)) for v, u, ids, n in items]
    batcher = ContinuousBatcher(engine, max_batch=2)
    try:
        got = await asyncio.gather(*(batcher.generate(v, u, ids, GenerationParams(n, 0)) for v, u, ids, n in items))
    finally:
        batcher.close()
    assert got == alone and batcher.peak_batch == 2


async def test_streams_add_up_to_the_non_streamed_text_and_stop_strings_cut_both(
    engine: AdapterEngine, registry_adapters: list[Path]
) -> None:
    adapter = str(registry_adapters[2])
    prompt = engine.encode_text("motor overheating")
    full = engine.generate("v2", adapter, prompt, GenerationParams(max_new_tokens=12, temperature=0))
    stop = full.text[len(full.text) // 2 :][:3]
    assert stop.strip(), f"need visible text to stop on, got {full.text!r}"
    batcher = ContinuousBatcher(engine)

    async def streamed(params: GenerationParams) -> tuple[str, StreamEnd]:
        pieces = [p async for p in batcher.stream("v2", adapter, prompt, params)]
        end = pieces.pop()
        assert isinstance(end, StreamEnd) and all(isinstance(p, str) for p in pieces)
        return "".join(str(p) for p in pieces), end

    try:
        cut_params = GenerationParams(12, 0, stop=(stop,))
        (text, end), (cut_text, cut_end), cut = await asyncio.gather(
            streamed(GenerationParams(12, 0)), streamed(cut_params), batcher.generate("v2", adapter, prompt, cut_params)
        )
    finally:
        batcher.close()
    assert (text, end.tokens_out, end.finish_reason) == (full.text, full.tokens_out, full.finish_reason)
    assert cut.text == cut_text == full.text[: full.text.find(stop)]
    assert cut.finish_reason == cut_end.finish_reason == "stop"
    assert stop not in cut_text  # held back, never sent and taken back


async def test_a_seed_governs_its_own_request_whatever_shares_the_batch(
    engine: AdapterEngine, registry_adapters: list[Path]
) -> None:
    prompt = engine.encode_text("gearbox noise")
    seeded = GenerationParams(max_new_tokens=8, temperature=1.0, top_p=0.9, seed=7)
    batcher = ContinuousBatcher(engine)
    try:
        alone = await batcher.generate("b", None, prompt, seeded)
        others = [
            batcher.generate("v1", str(registry_adapters[1]), prompt, GenerationParams(10, 1.0)) for _ in range(3)
        ]
        crowded, *_ = await asyncio.gather(batcher.generate("b", None, prompt, seeded), *others)
        other_seed = await batcher.generate("b", None, prompt, GenerationParams(8, 1.0, 0.9, seed=8))
    finally:
        batcher.close()
    assert crowded == alone
    assert other_seed.tokens_in == alone.tokens_in  # a different seed is another draw (usually other text)


async def test_a_bad_adapter_fails_its_request_only(
    engine: AdapterEngine, registry_adapters: list[Path], tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "adapter_config.json").write_text('{"peft_type": "LORA", "r": 4, "target_modules": ["nonexistent"]}')
    prompt = engine.encode_text("bearing")
    good = engine.generate("v0", str(registry_adapters[0]), prompt, GenerationParams(6, 0))
    batcher = ContinuousBatcher(engine)
    try:
        outcomes = await asyncio.gather(
            batcher.generate("v9", str(bad), prompt, GenerationParams(6, 0)),
            batcher.generate("v0", str(registry_adapters[0]), prompt, GenerationParams(6, 0)),
            return_exceptions=True,
        )
    finally:
        batcher.close()
    assert isinstance(outcomes[0], AdapterLoadError) and outcomes[1] == good


async def test_a_caller_that_goes_away_frees_its_row(engine: AdapterEngine, registry_adapters: list[Path]) -> None:
    prompt = engine.encode_text("compressor trips")
    batcher = ContinuousBatcher(engine)
    try:
        task = asyncio.create_task(batcher.generate("b", None, prompt, GenerationParams(400, 0)))
        await asyncio.sleep(0.3)
        task.cancel()
        short = await batcher.generate("v1", str(registry_adapters[1]), prompt, GenerationParams(4, 0))
        await asyncio.sleep(0.2)
        assert batcher.active == 0  # the abandoned row left at the next step instead of decoding 400 tokens
    finally:
        batcher.close()
    assert short.tokens_out <= 4


async def test_closing_answers_what_still_waits(engine: AdapterEngine) -> None:
    batcher = ContinuousBatcher(engine)
    prompt = engine.encode_text("hydraulic press")
    task = asyncio.create_task(batcher.generate("b", None, prompt, GenerationParams(2000, 0)))
    await asyncio.sleep(0.2)
    await asyncio.to_thread(batcher.close)
    with pytest.raises(ServerClosed):
        await task
    with pytest.raises(ServerClosed):
        await batcher.generate("b", None, prompt, GenerationParams(2, 0))


def test_merged_copies_and_bad_bounds_are_refused(registry_tiny_model: Path) -> None:
    with pytest.raises(ValueError, match="merged"):
        ContinuousBatcher(AdapterEngine(str(registry_tiny_model), merge=True))
    with pytest.raises(ValueError, match="max_batch"):
        ContinuousBatcher(AdapterEngine(str(registry_tiny_model)), max_batch=0)
