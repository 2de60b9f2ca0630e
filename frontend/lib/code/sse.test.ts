import { describe, expect, it } from "vitest";

import { readSse, SseParser } from "./sse";

const STREAM =
  'event: delta\ndata: {"text": "I added "}\n\n' +
  'event: proposal\ndata: {"id": "p1"}\n\n' +
  ": keep-alive comment\n\n" +
  'event: done\ndata: {"messageId": "m1"}\n\n';

describe("SseParser", () => {
  it("parses whole events", () => {
    const events = new SseParser().feed(STREAM);
    expect(events.map((e) => e.event)).toEqual(["delta", "proposal", "done"]);
    expect(JSON.parse(events[0].data)).toEqual({ text: "I added " });
  });

  it("gives the same events however the text is split, even inside \\r\\n", () => {
    const text = STREAM.replaceAll("\n", "\r\n");
    for (const size of [1, 2, 3, 7, 64]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)));
      events.push(...parser.end());
      expect(events.map((e) => [e.event, e.data])).toEqual([
        ["delta", '{"text": "I added "}'],
        ["proposal", '{"id": "p1"}'],
        ["done", '{"messageId": "m1"}'],
      ]);
    }
  });

  it("joins multi-line data, defaults the event name and flushes an unterminated event", () => {
    const parser = new SseParser();
    expect(parser.feed("data: one\ndata:two\n\n")).toEqual([{ event: "message", data: "one\ntwo" }]);
    expect(parser.feed("event: error\ndata: {}")).toEqual([]);
    expect(parser.end()).toEqual([{ event: "error", data: "{}" }]);
  });
});

describe("readSse", () => {
  it("reads events from a byte stream split mid-character", async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"text": "café"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readSse(body)) events.push(event);
    expect(events).toEqual([{ event: "delta", data: '{"text": "café"}' }]);
  });
});
