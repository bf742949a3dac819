/** The body scan's top-level fields kept whole (cutVerbatim's `whole`): which are kept, and as what text. */
import { describe, expect, test } from "bun:test";
import { cutVerbatim } from "./verbatim";

const bytes = (text: string) => new Uint8Array(new TextEncoder().encode(text));
const fields = (text: string, whole: string[]) => {
  const cut = cutVerbatim(bytes(text), 64, [], whole);
  if (cut.nested) throw new Error("nested");
  return cut.fields;
};

describe("top-level fields kept as the client's text", () => {
  test("an array, an object and a string are kept byte for byte, escapes and spaces as written", () => {
    const tools = `[ {"name":"a\\u00e9\\n","x":[1,[2,{"y":"]}"}]]} , {"name":"b"} ]`;
    const body = `{"model":"m","tools":${tools},"instructions":"Be \\"brief\\" \\u2014 é","text":{"format":{"type":"text"}}}`;
    expect(fields(body, ["instructions", "tools", "text"])).toEqual({ tools, instructions: `"Be \\"brief\\" \\u2014 é"`, text: `{"format":{"type":"text"}}` });
    expect(JSON.parse(fields(body, ["tools"])!.tools!)).toEqual(JSON.parse(body).tools);
  });

  test("only fields named, only at the top: the same key inside another field is not it", () => {
    const body = `{"input":[{"tools":[1],"instructions":"inner"}],"tools":[2]}`;
    expect(fields(body, ["tools", "instructions"])).toEqual({ tools: "[2]" });
    expect(fields(`[{"tools":[1]}]`, ["tools"])).toBeUndefined();
    expect(fields(`{"model":"m"}`, ["tools"])).toBeUndefined();
    expect(fields(`{"tools":[1]}`, [])).toBeUndefined();
  });

  test("a value that spans lines is not kept: an event stream's data line could not carry it", () => {
    expect(fields(`{"tools":[\n  {"name":"a"}\r\n],"instructions":"x"}`, ["tools", "instructions"])).toEqual({ tools: undefined, instructions: `"x"` });
  });

  test("a key given twice: the last value, as JSON.parse reads it", () => {
    expect(fields(`{"tools":[1],"tools":[2,3]}`, ["tools"])).toEqual({ tools: "[2,3]" });
  });

  test("keeping fields changes nothing else the scan gives", () => {
    const long = "x\\n".repeat(200);
    const body = `{"tools":[{"name":"t"}],"input":[{"content":"${long}"}]}`;
    const plain = cutVerbatim(bytes(body), 64, [["input", "*", "content"]]);
    const kept = cutVerbatim(bytes(body), 64, [["input", "*", "content"]], ["tools"]);
    if (plain.nested || kept.nested) throw new Error("nested");
    expect(kept.text).toBe(plain.text);
    expect(kept.verbatim?.size).toBe(1);
    expect(kept.fields).toEqual({ tools: `[{"name":"t"}]` });
  });

  test("in a large body, whose other strings past ASCII the scan rewrites as escapes: still the client's text", () => {
    const padding = "word\\n ".repeat(12_000);
    const plainTools = `[{"name":"read","description":"${"plain text ".repeat(100)}"}]`;
    const wideTools = `[{"name":"read","description":"café 東京 ${"text ".repeat(100)}"}]`;
    for (const tools of [plainTools, wideTools]) {
      const body = `{"model":"m","instructions":"Be brief — please","tools":${tools},"input":[{"content":"${padding}"},{"content":"été"}]}`;
      expect(bytes(body).length).toBeGreaterThan(64 * 1024);
      const plain = cutVerbatim(bytes(body), 64, [["input", "*", "content"]]);
      const kept = cutVerbatim(bytes(body), 64, [["input", "*", "content"]], ["tools", "instructions"]);
      if (plain.nested || kept.nested) throw new Error("nested");
      expect(kept.fields).toEqual({ tools, instructions: `"Be brief — please"` });
      expect(kept.text).toBe(plain.text);
      expect(JSON.parse(kept.text).tools).toEqual(JSON.parse(body).tools);
    }
  });
});
