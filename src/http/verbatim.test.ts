/** The body scan's top-level fields kept whole (cutVerbatim's `whole`): which are kept, and as what text. */
import { describe, expect, test } from "bun:test";
import { cutVerbatim } from "./verbatim";

const bytes = (text: string) => new Uint8Array(new TextEncoder().encode(text));
const fields = (text: string, whole: string[]) => {
  const cut = cutVerbatim(bytes(text), 64, { whole });
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
    const plain = cutVerbatim(bytes(body), 64, { passedThrough: [["input", "*", "content"]] });
    const kept = cutVerbatim(bytes(body), 64, { passedThrough: [["input", "*", "content"]], whole: ["tools"] });
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
      const plain = cutVerbatim(bytes(body), 64, { passedThrough: [["input", "*", "content"]] });
      const kept = cutVerbatim(bytes(body), 64, { passedThrough: [["input", "*", "content"]], whole: ["tools", "instructions"] });
      if (plain.nested || kept.nested) throw new Error("nested");
      expect(kept.fields).toEqual({ tools, instructions: `"Be brief — please"` });
      expect(kept.text).toBe(plain.text);
      expect(JSON.parse(kept.text).tools).toEqual(JSON.parse(body).tools);
    }
  });
});

describe("strings whose text is a JSON object, parsed in their place (cutVerbatim's `objects`)", () => {
  const objects = [["calls", "*", "arguments"]];
  /** The body `{"calls":[{"arguments":<argument as a JSON string>}]}` as the scan gives it to JSON.parse. */
  const scan = (argument: string, padding = "") => {
    const body = `{"calls":[{"id":"c1","arguments":${JSON.stringify(argument)},"name":"n"}]${padding}}`;
    const cut = cutVerbatim(bytes(body), 8, { objects });
    if (cut.nested) throw new Error("nested");
    return { body, cut };
  };

  test("an object's text is parsed as that object, the same value JSON.parse of the string gives", () => {
    for (const argument of [`{}`, ` {"path":"a.ts","n":[1,{"x":null}]}\n`, `{"q":"say \\"hi\\"\\n\\\\ \\u00e9 / é 東京 🚀"}`, `{"a":"}{][\\""}`]) {
      const { cut } = scan(argument);
      expect(cut.objects).toBe(true);
      expect(cut.text).toContain(`"arguments":${argument}`);
      expect(JSON.parse(cut.text).calls[0]).toEqual({ id: "c1", arguments: JSON.parse(argument), name: "n" });
    }
  });

  test("anything but one object, alone, stays a string: nothing it holds can become a field beside it", () => {
    for (const argument of [
      `{"a":1},"name":"other"`,
      `{"a":1}}`,
      `{"a":1} x`,
      `{"a":1`,
      `{"a":"1}`,
      `[1,2]`,
      `"text"`,
      `1`,
      ``,
      ` `,
      `{"a":"\\x"}`,
      `{"a":"tab\there"}`,
      `{"a":é}`,
      `{"a":{"b":{"c":{"d":{"e":{"f":{"g":{}}}}}}}}`,
    ]) {
      const { cut, body } = scan(argument);
      expect(cut.objects).toBeUndefined();
      expect(cut.text).toBe(body);
    }
  });

  test("nesting counts from the string's depth: an object that would pass the bound stays a string", () => {
    // The string is at depth 3 of at most 8: five levels fit, six do not.
    expect(scan(`{"a":{"b":{"c":{"d":{}}}}}`).cut.objects).toBe(true);
    expect(scan(`{"a":{"b":{"c":{"d":{"e":[]}}}}}`).cut.objects).toBeUndefined();
  });

  test("a string with a \\u escape, or at another path, or a key, is left as it is", () => {
    const body = `{"calls":[{"arguments":"{\\u0022a\\u0022:1}","other":"{}"}],"arguments":"{}"}`;
    const cut = cutVerbatim(bytes(body), 8, { objects });
    if (cut.nested) throw new Error("nested");
    expect(cut.text).toBe(body);
    const keyed = `{"calls":[{"{\\"arguments\\":1}":1}]}`;
    const keyCut = cutVerbatim(bytes(keyed), 8, { objects: [["calls", "*", "{\"arguments\":1}"]] });
    expect(keyCut.nested ? "" : keyCut.text).toBe(keyed);
  });

  test("in a large body, characters past ASCII are written as escapes, and read back the same", () => {
    const argument = `{"q":"café 東京 🚀 — \\"x\\""}`;
    const { cut } = scan(argument, `,"pad":"${"word\\n ".repeat(12_000)}"`);
    expect(cut.objects).toBe(true);
    expect(cut.text).toContain(`"arguments":{"q":"caf\\u00e9 \\u6771\\u4eac \\ud83d\\ude80 \\u2014 \\"x\\""}`);
    expect(JSON.parse(cut.text).calls[0].arguments).toEqual(JSON.parse(argument));
  });
});
