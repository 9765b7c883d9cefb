import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { backoffMs, openEventStream, SseParser, type SseEvent, type StreamState } from "@/lib/sse";

const parse = (...chunks: string[]) => {
  const parser = new SseParser();
  const events = chunks.flatMap((chunk) => parser.push(chunk));
  return { events, parser };
};

describe("SseParser", () => {
  test("an event ends at a blank line and names its type, data and id", () => {
    const { events } = parse('event: progress\nid: 7\ndata: {"step": 1}\n\n');
    assert.deepEqual(events, [{ event: "progress", data: '{"step": 1}', id: "7" }]);
  });

  test("an event without a type is a message, and nothing is dispatched before the blank line", () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push("data: a\n"), []);
    assert.deepEqual(parser.push("\n"), [{ event: "message", data: "a", id: "" }]);
  });

  test("data lines join with newlines; one leading space is dropped, a second one kept", () => {
    const { events } = parse("data: first\ndata:  second\ndata\ndata:third\n\n");
    assert.equal(events[0].data, "first\n second\n\nthird");
  });

  test("chunks may split lines, fields and CRLF line ends anywhere", () => {
    const stream = 'event: phase\r\nid: 3\r\ndata: {"phase": "training"}\r\n\r\nevent: status\r\ndata: {"status": "running"}\r\n\r\n';
    const whole = parse(stream).events;
    for (let size = 1; size <= 7; size++) {
      const chunks = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
      assert.deepEqual(parse(...chunks).events, whole, `chunks of ${size}`);
    }
    assert.deepEqual(
      whole.map((e) => e.event),
      ["phase", "status"],
    );
  });

  test("a CR alone ends a line too", () => {
    assert.deepEqual(parse("data: a\r\rdata: b\r\r").events.map((e) => e.data), ["a", "b"]);
  });

  test("comments (the keep-alive ping) and unknown fields are ignored; an event without data is not dispatched", () => {
    const { events } = parse(": ping - 2026-12-07\n\nfoo: bar\nevent: lonely\n\ndata: x\n\n");
    assert.deepEqual(events, [{ event: "message", data: "x", id: "" }]);
  });

  test("the last id carries over to later events, an empty id clears it, an id with NUL is ignored", () => {
    const { events, parser } = parse("id: 5\ndata: a\n\ndata: b\n\nid: 6\0\ndata: c\n\nid\ndata: d\n\n");
    assert.deepEqual(events.map((e) => e.id), ["5", "5", "5", ""]);
    assert.equal(parser.lastEventId, "");
  });

  test("retry takes digits only", () => {
    assert.equal(parse("retry: 2500\n\n").parser.retryMs, 2500);
    assert.equal(parse("retry: soon\n\n").parser.retryMs, null);
  });

  test("a byte-order mark opens the stream at most once", () => {
    const { events } = parse("\ufeffdata: a\n\n");
    assert.equal(events[0].data, "a");
    const second = parse("data: a\n\n", "\ufeffdata: b\n\n").events;
    assert.equal(second.length, 1); // the field name "\ufeffdata" is unknown
  });
});

test("the reconnection delay doubles from the base, is capped and jittered by ±20%", () => {
  assert.equal(backoffMs(1, 1000, 30_000, () => 0.5), 1000);
  assert.equal(backoffMs(3, 1000, 30_000, () => 0.5), 4000);
  assert.equal(backoffMs(10, 1000, 30_000, () => 0.5), 30_000);
  assert.equal(backoffMs(1, 1000, 30_000, () => 0), 800);
  assert.equal(backoffMs(1, 1000, 30_000, () => 1), 1200);
});

// ----------------------------------------------------------------------------------------- the reconnecting client

type Answer = { status: number; body?: string[]; contentType?: string } | Error;

/** A fetch that answers from a script and records the headers of every request. */
function scriptedFetch(answers: Answer[]) {
  const requests: Record<string, string>[] = [];
  const impl = (async (_url: string, init?: RequestInit) => {
    requests.push({ ...(init?.headers as Record<string, string>) });
    const answer = answers.shift();
    if (!answer) throw new Error("no more answers scripted");
    if (answer instanceof Error) throw answer;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of answer.body ?? []) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    });
    return new Response(body, {
      status: answer.status,
      headers: { "content-type": answer.contentType ?? (answer.status === 200 ? "text/event-stream; charset=utf-8" : "application/json") },
    });
  }) as typeof fetch;
  return { impl, requests };
}

async function follow(answers: Answer[], stopOn?: (e: SseEvent) => boolean, maxAttempts = 3) {
  const { impl, requests } = scriptedFetch(answers);
  const events: SseEvent[] = [];
  const states: StreamState[] = [];
  const delays: number[] = [];
  let failure: { status: number; message: string } | undefined;
  const stream = openEventStream({
    url: "http://training.test/jobs/1/stream",
    headers: () => ({ Authorization: "Bearer token-1" }),
    onEvent: (event) => {
      events.push(event);
      if (stopOn?.(event)) stream.close();
    },
    onState: (state, error) => {
      states.push(state);
      if (error) failure = { status: error.status, message: error.message };
    },
    maxAttempts,
    fetch: impl,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0.5,
  });
  await stream.done;
  return { events, states, delays, requests, failure };
}

describe("openEventStream", () => {
  test("sends the token, resumes with Last-Event-ID after a drop, and stops when the caller closes", async () => {
    const result = await follow(
      [
        { status: 200, body: ['id: 1\nevent: progress\ndata: {"step":1}\n\n', "id: 2\nevent: progress\nda"] },
        { status: 200, body: ['id: 2\nevent: progress\ndata: {"step":2}\n\nid: 2\nevent: status\ndata: {"status":"succeeded"}\n\n'] },
      ],
      (e) => e.event === "status",
    );
    assert.deepEqual(result.events.map((e) => e.data), ['{"step":1}', '{"step":2}', '{"status":"succeeded"}']);
    assert.equal(result.requests[0].Authorization, "Bearer token-1");
    assert.equal(result.requests[0]["Last-Event-ID"], undefined);
    assert.equal(result.requests[1]["Last-Event-ID"], "1"); // the half-received event 2 does not count
    assert.deepEqual(result.states, ["connecting", "open", "retrying", "open", "closed"]);
    assert.deepEqual(result.delays, [1000]); // a connection that delivered resets the count: the base delay
  });

  test("network errors and 5xx are retried with a growing delay, then it gives up", async () => {
    const result = await follow([new TypeError("Failed to fetch"), { status: 503 }, { status: 502 }]);
    assert.deepEqual(result.delays, [1000, 2000]);
    assert.equal(result.states.at(-1), "failed");
    assert.equal(result.failure?.status, 502);
    assert.equal(result.requests.length, 3);
  });

  test("a refusal that retrying cannot change (401, 403, 404) gives up at once", async () => {
    for (const status of [401, 403, 404]) {
      const result = await follow([{ status, body: ['{"detail":"no"}'] }]);
      assert.deepEqual(result.states, ["connecting", "failed"]);
      assert.equal(result.failure?.status, status);
      assert.equal(result.requests.length, 1);
    }
  });

  test("an answer that is not an event stream is a failure, not something to parse", async () => {
    const result = await follow([{ status: 200, body: ["<html>"], contentType: "text/html" }]);
    assert.equal(result.states.at(-1), "failed");
    assert.match(result.failure?.message ?? "", /not an event stream/);
  });

  test("a server that keeps ending the stream without an event is given up on", async () => {
    const result = await follow([{ status: 200 }, { status: 200 }, { status: 200 }]);
    assert.equal(result.states.at(-1), "failed");
    assert.deepEqual(result.delays, [1000, 2000]);
  });

  test("the server's retry field sets the base delay", async () => {
    const result = await follow(
      [{ status: 200, body: ["retry: 250\nid: 4\ndata: a\n\n"] }, { status: 200, body: ["id: 5\ndata: b\n\n"] }],
      (e) => e.data === "b",
    );
    assert.deepEqual(result.delays, [250]);
    assert.equal(result.requests[1]["Last-Event-ID"], "4");
  });
});
