import hashlib
import io

from tuneline.data.processing.writer import JsonlWriter, canonical_line, content_hash, read_jsonl


def test_canonical_line_sorts_keys_and_keeps_utf8():
    assert canonical_line({"b": "é", "a": 1}) == '{"a":1,"b":"é"}\n'.encode()


def test_content_hash_is_sha256_of_the_written_bytes():
    records = [{"text": "a", "label": "x"}, {"label": "y", "text": "b"}]
    sink = io.BytesIO()
    writer = JsonlWriter(sink)
    for record in records:
        writer.write(record)
    assert writer.content_hash == hashlib.sha256(sink.getvalue()).hexdigest()
    assert writer.content_hash == content_hash(records)
    assert writer.count == 2 and writer.bytes_written == len(sink.getvalue())


def test_hash_depends_on_order_but_not_on_key_order():
    a, b = {"text": "a", "label": "x"}, {"text": "b", "label": "y"}
    assert content_hash([a, b]) != content_hash([b, a])
    assert content_hash([a]) == content_hash([{"label": "x", "text": "a"}])


def test_written_records_read_back_identically():
    records = [{"messages": [{"role": "user", "content": "hi\nthere"}]}]
    sink = io.BytesIO()
    writer = JsonlWriter(sink)
    writer.write(records[0])
    sink.seek(0)
    assert list(read_jsonl(sink)) == records
