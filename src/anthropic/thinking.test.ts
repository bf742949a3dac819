import { describe, expect, test } from "bun:test";
import { ThinkingSplitter, type ThinkingPiece } from "./thinking";

interface Split {
  thinking: string;
  text: string;
  starts: number;
  ends: number;
}

function splitReply(chunks: string[]): { split: Split; pieces: ThinkingPiece[] } {
  const splitter = new ThinkingSplitter();
  const pieces = [...chunks.flatMap((c) => splitter.push(c)), ...splitter.flush()];
  const split: Split = { thinking: "", text: "", starts: 0, ends: 0 };
  for (const p of pieces) {
    if (p.kind === "thinking") split.thinking += p.text;
    else if (p.kind === "text") split.text += p.text;
    else if (p.kind === "thinking_start") split.starts++;
    else split.ends++;
  }
  return { split, pieces };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Replies and what a client must see from them, however they are chunked. */
const REPLIES: Array<[name: string, reply: string, expected: Split]> = [
  [
    "the worked example of §10a",
    "<thinking>\nThe user wants weather.</thinking>\n\nIt is 18°C",
    { thinking: "The user wants weather.", text: "It is 18°C", starts: 1, ends: 1 },
  ],
  [
    "blank lines before the thinking block",
    "\n\n<thinking>\nplan\n</thinking>\n\nanswer",
    { thinking: "plan\n", text: "answer", starts: 1, ends: 1 },
  ],
  [
    "quoted end tags inside the thinking",
    '<thinking>\nmention `</thinking>` and "</thinking>" and </thinking> inline\n</thinking>\n\nDone.',
    {
      thinking: 'mention `</thinking>` and "</thinking>" and </thinking> inline\n',
      text: "Done.",
      starts: 1,
      ends: 1,
    },
  ],
  [
    "astral and CJK characters around the tags",
    "<thinking>\n😀思考🎉</thinking>\n\n答え😀",
    { thinking: "😀思考🎉", text: "答え😀", starts: 1, ends: 1 },
  ],
  [
    "a literal tag in inline code (user-demand §3d 27)",
    "Wrap it as `<thinking>` and `</thinking>`.\n\nOK",
    { thinking: "", text: "Wrap it as `<thinking>` and `</thinking>`.\n\nOK", starts: 0, ends: 0 },
  ],
  [
    "only the first thinking block is extracted",
    "<thinking>a</thinking>\n\nb <thinking>c</thinking>\n\nd",
    { thinking: "a", text: "b <thinking>c</thinking>\n\nd", starts: 1, ends: 1 },
  ],
  [
    "an end tag at the very end of the reply",
    "<thinking>\nonly thoughts</thinking>",
    { thinking: "only thoughts", text: "", starts: 1, ends: 1 },
  ],
  [
    "an end tag followed by trailing whitespace, then the end",
    "<thinking>\nthoughts</thinking> \n",
    { thinking: "thoughts", text: "", starts: 1, ends: 1 },
  ],
  [
    "text before the thinking block",
    "Hi\n\n<thinking>\nx</thinking>\n\ny",
    { thinking: "x", text: "Hi\n\ny", starts: 1, ends: 1 },
  ],
  [
    "an end tag not followed by a blank line stays in the thinking",
    "<thinking>\nsee </thinking> here\n</thinking>\n\nz",
    { thinking: "see </thinking> here\n", text: "z", starts: 1, ends: 1 },
  ],
  [
    "start tags quoted on one side only",
    "Some text first, then (<thinking>\nnot real and <thinking>. also not",
    { thinking: "", text: "Some text first, then (<thinking>\nnot real and <thinking>. also not", starts: 0, ends: 0 },
  ],
  [
    "an end tag quoted on one side only",
    "<thinking>\nthe tag `</thinking>\n\n is quoted</thinking>\n\nok",
    { thinking: "the tag `</thinking>\n\n is quoted", text: "ok", starts: 1, ends: 1 },
  ],
  [
    "a reply with no thinking at all",
    "Plain answer with <b>markup</b> and emoji 😀.",
    { thinking: "", text: "Plain answer with <b>markup</b> and emoji 😀.", starts: 0, ends: 0 },
  ],
  [
    "thinking that never ends",
    "<thinking>\ncut off mid-thought",
    { thinking: "cut off mid-thought", text: "", starts: 1, ends: 1 },
  ],
];

describe("ThinkingSplitter", () => {
  test("the §10a chunks give the §10a pieces, chunk for chunk", () => {
    const s = new ThinkingSplitter();
    // The 9 characters after the tag are held back: they could be the start of "</thinking>\n\n".
    expect(s.push("<thinking>\nThe user ")).toEqual([{ kind: "thinking_start" }]);
    expect(s.push("wants weather.</thinking>\n\nIt is 18°C")).toEqual([
      { kind: "thinking", text: "The user wants weather." },
      { kind: "thinking_end" },
      { kind: "text", text: "It is 18°C" },
    ]);
    expect(s.flush()).toEqual([]);
  });

  for (const [name, reply, expected] of REPLIES) {
    describe(name, () => {
      test("whole", () => {
        expect(splitReply([reply]).split).toEqual(expected);
      });

      test("split at every offset", () => {
        for (let cut = 0; cut <= reply.length; cut++) {
          const { split, pieces } = splitReply([reply.slice(0, cut), reply.slice(cut)]);
          expect({ cut, ...split }).toEqual({ cut, ...expected });
          for (const p of pieces) if ("text" in p) expect(LONE_SURROGATE.test(p.text)).toBe(false);
        }
      });

      test("one character per chunk", () => {
        expect(splitReply([...reply]).split).toEqual(expected);
      });

      test("split at every pair of offsets", () => {
        for (let a = 1; a < reply.length; a++)
          for (let b = a; b < reply.length; b++) {
            const { split } = splitReply([reply.slice(0, a), reply.slice(a, b), reply.slice(b)]);
            expect({ a, b, ...split }).toEqual({ a, b, ...expected });
          }
      });
    });
  }

  test("whitespace before a thinking block never becomes a text piece", () => {
    const s = new ThinkingSplitter();
    expect(s.push("\n\n")).toEqual([]);
    expect(s.push("  ")).toEqual([]);
    expect(s.push("<thinking>\nhm")).toEqual([{ kind: "thinking_start" }]);
  });

  test("a whitespace-only reply gives nothing", () => {
    const s = new ThinkingSplitter();
    expect([...s.push("\n \n"), ...s.flush()]).toEqual([]);
  });

  test("once text was given, later whitespace is text", () => {
    const s = new ThinkingSplitter();
    const pieces = [...s.push("Hello world, this is long enough"), ...s.push("\n\n   "), ...s.flush()];
    expect(pieces.map((p) => ("text" in p ? p.text : "")).join("")).toBe("Hello world, this is long enough\n\n   ");
  });

  test("text is given out as it arrives, holding back only a possible tag", () => {
    const s = new ThinkingSplitter();
    expect(s.push("The answer is forty-two. <thin")).toEqual([{ kind: "text", text: "The answer is forty-" }]);
    expect(s.push("king>`")).toEqual([{ kind: "text", text: "two. <" }]);
    expect(s.flush()).toEqual([{ kind: "text", text: "thinking>`" }]);
  });

  test("a tag split across chunks is found", () => {
    const s = new ThinkingSplitter();
    expect(s.push("<thin")).toEqual([]);
    expect(s.push("king>")).toEqual([]);
    expect(s.push("\nidea</think")).toEqual([{ kind: "thinking_start" }]);
    expect(s.push("ing>\n")).toEqual([{ kind: "thinking", text: "ide" }]);
    expect(s.push("\nreply")).toEqual([
      { kind: "thinking", text: "a" },
      { kind: "thinking_end" },
      { kind: "text", text: "reply" },
    ]);
  });

  test("a start tag touching a quote character on either side is text", () => {
    for (const reply of ["x(<thinking>)y", "'<thinking>'", "<thinking>.", "#<thinking>\n"]) {
      expect(splitReply([reply]).split).toEqual({ thinking: "", text: reply, starts: 0, ends: 0 });
    }
  });

  test("flush before a tool call closes thinking ended by a bare end tag", () => {
    const s = new ThinkingSplitter();
    expect(s.push("<thinking>\nI will call the tool.</thinking>")).toEqual([
      { kind: "thinking_start" },
      { kind: "thinking", text: "I will call the too" },
    ]);
    expect(s.flush()).toEqual([
      { kind: "thinking", text: "l." },
      { kind: "thinking_end" },
    ]);
    // After the tool call the reply goes on as plain text; a second block is not extracted.
    expect([...s.push("<thinking>\nmore"), ...s.flush()]).toEqual([{ kind: "text", text: "<thinking>\nmore" }]);
  });

  test("flush keeps text held back for tag detection", () => {
    const s = new ThinkingSplitter();
    expect(s.push("Let me check")).toEqual([{ kind: "text", text: "Le" }]);
    expect(s.flush()).toEqual([{ kind: "text", text: "t me check" }]);
  });

  test("at flush, a bare end tag and the whitespace after it are dropped", () => {
    const s = new ThinkingSplitter();
    expect(s.push("<thinking>\nab</thinking>\n")).toEqual([{ kind: "thinking_start" }, { kind: "thinking", text: "a" }]);
    expect(s.flush()).toEqual([{ kind: "thinking", text: "b" }, { kind: "thinking_end" }]);
  });

  test("a surrogate pair split across chunks is never split in a piece", () => {
    const reply = "🎉".repeat(12);
    const s = new ThinkingSplitter();
    const pieces = [...s.push(reply.slice(0, 7)), ...s.push(reply.slice(7)), ...s.flush()];
    for (const p of pieces) if ("text" in p) expect(LONE_SURROGATE.test(p.text)).toBe(false);
    expect(pieces.map((p) => ("text" in p ? p.text : "")).join("")).toBe(reply);
  });
});
