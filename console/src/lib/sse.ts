// Server-sent events over fetch: the browser's EventSource cannot send an Authorization header, and a token in the
// query string would end up in access logs. The parser follows the HTML standard's event-stream rules; the client
// reconnects with Last-Event-ID and a growing, jittered delay, and gives up (so the caller can poll instead) after a
// run of failed attempts or at once when the answer is one that retrying cannot change (401, 403, 404, ...).

export interface SseEvent {
  /** The `event` field; "message" when the server names none. */
  event: string;
  data: string;
  /** The last `id` seen on the stream so far (it carries over to events without one). */
  id: string;
}

/** Incremental parser: feed it text as it arrives, in chunks of any size; it returns the events each chunk ends. */
export class SseParser {
  private buffer = "";
  private afterCR = false; // the last chunk ended on CR: a LF that starts the next one belongs to that line end
  private started = false;
  private eventType = "";
  private data: string[] = [];
  private hasData = false;
  /** The reconnection delay the server asked for (`retry:`), in milliseconds. */
  retryMs: number | null = null;
  lastEventId = "";

  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark opens the stream at most once
    }
    if (this.afterCR && text.startsWith("\n")) text = text.slice(1);
    this.afterCR = false;
    this.buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c !== "\n" && c !== "\r") continue;
      const line = this.buffer.slice(start, i);
      if (c === "\r") {
        if (i + 1 < this.buffer.length) {
          if (this.buffer[i + 1] === "\n") i++;
        } else {
          this.afterCR = true;
        }
      }
      start = i + 1;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null; // a comment (the server's keep-alive ping)
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.eventType = value;
    else if (field === "data") {
      this.data.push(value);
      this.hasData = true;
    } else if (field === "id") {
      if (!value.includes("\0")) this.lastEventId = value;
    } else if (field === "retry") {
      if (/^\d+$/.test(value)) this.retryMs = Number(value);
    }
    return null;
  }

  private dispatch(): SseEvent | null {
    const event = this.hasData ? { event: this.eventType || "message", data: this.data.join("\n"), id: this.lastEventId } : null;
    this.eventType = "";
    this.data = [];
    this.hasData = false;
    return event;
  }
}

export type StreamState = "connecting" | "open" | "retrying" | "failed" | "closed";

export class StreamError extends Error {
  constructor(
    readonly status: number, // 0: the network or the stream itself failed
    message: string,
  ) {
    super(message);
  }
}

export interface StreamOptions {
  url: string;
  /** Read at every (re)connection, so a renewed token is used. */
  headers?: () => Record<string, string>;
  onEvent: (event: SseEvent) => void;
  onState?: (state: StreamState, error?: StreamError) => void;
  /** Failed connections in a row before giving up (a connection that delivered an event resets the count). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface EventStream {
  close(): void;
  /** Resolves once the stream is closed or has given up. */
  done: Promise<void>;
}

/** Answers worth another try later: the server restarting, overloaded, or timing out. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** The delay before attempt n (1-based): doubling from the base, capped, with ±20% jitter so clients spread out. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const plain = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

/**
 * Reads `url` as an event stream until close() is called, reconnecting (with Last-Event-ID) when the connection
 * drops or the server ends the stream; the caller closes it when an event says there is nothing more to follow.
 */
export function openEventStream(options: StreamOptions): EventStream {
  const {
    url,
    headers = () => ({}),
    onEvent,
    onState = () => {},
    maxAttempts = 5,
    baseDelayMs = 1_000,
    maxDelayMs = 30_000,
    fetch: fetchImpl = globalThis.fetch.bind(globalThis),
    sleep = wait,
    random = Math.random,
  } = options;
  const abort = new AbortController();
  let lastEventId = "";
  let serverRetryMs: number | null = null;

  async function connectOnce(): Promise<boolean> {
    // true: events arrived on this connection (the next failure counts from 1 again)
    const request: Record<string, string> = { Accept: "text/event-stream", ...headers() };
    if (lastEventId) request["Last-Event-ID"] = lastEventId;
    const response = await fetchImpl(url, { headers: request, signal: abort.signal, cache: "no-store" });
    if (!response.ok) {
      const detail = await response.text().catch(() => "");
      throw new StreamError(response.status, detail || `HTTP ${response.status}`);
    }
    if (!response.headers.get("content-type")?.startsWith("text/event-stream") || !response.body)
      throw new StreamError(-1, "the answer is not an event stream");
    onState("open");
    const parser = new SseParser();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let delivered = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return delivered;
        for (const event of parser.push(value)) {
          lastEventId = event.id;
          delivered = true;
          onEvent(event);
          if (abort.signal.aborted) return delivered;
        }
        if (parser.retryMs != null) serverRetryMs = parser.retryMs;
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    onState("connecting");
    while (!abort.signal.aborted) {
      try {
        if (await connectOnce()) failures = 0;
        else failures++;
        if (abort.signal.aborted) break;
      } catch (exc) {
        if (abort.signal.aborted) break;
        const error = exc instanceof StreamError ? exc : new StreamError(0, exc instanceof Error ? exc.message : String(exc));
        if (error.status !== 0 && !RETRYABLE.has(error.status)) {
          onState("failed", error);
          return;
        }
        failures++;
        if (failures >= maxAttempts) {
          onState("failed", error);
          return;
        }
      }
      if (failures >= maxAttempts) {
        onState("failed", new StreamError(0, "the stream keeps ending without news"));
        return;
      }
      onState("retrying");
      await sleep(backoffMs(Math.max(1, failures), serverRetryMs ?? baseDelayMs, maxDelayMs, random), abort.signal);
    }
    onState("closed");
  }

  const done = run();
  return {
    close: () => abort.abort(),
    done,
  };
}
