/**
 * Where a JSON text first breaks, and why, in words a person editing config.json can act on. Bun's JSON.parse
 * says what it expected but not where, and a hand-edited kiro-rs file is usually wrong in one of a few ways:
 * a trailing comma, a comment, single quotes, a missing comma.
 */
export interface JsonSyntaxError {
  line: number;
  column: number;
  problem: string;
}

class Broken {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const found = () => (i >= text.length ? "the end of the file" : JSON.stringify(text[i]));
  const fail = (problem: string, at = i): never => {
    throw new Broken(at, problem);
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const expected = (what: string): never => {
    if (text[i] === "/") fail("comments are not allowed in JSON");
    if (text[i] === "'") fail("strings need double quotes in JSON");
    return fail(`expected ${what}, found ${found()}`);
  };

  const string = () => {
    const start = i++;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') return void i++;
      if (c === "\\") {
        const escape = text[i + 1] ?? "";
        if (escape === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (ESCAPES.has(escape)) i += 2;
        else fail(`"\\${escape}" is not an escape JSON knows`);
      } else if (c < " ") {
        fail(c === "\n" ? "a string is not closed before the end of the line" : "a control character inside a string");
      } else i++;
    }
    fail("a string is not closed", start);
  };

  const value = (): void => {
    space();
    const c = text[i];
    if (c === "{") return members("}", () => {
      space();
      if (text[i] !== '"') expected('a key in double quotes');
      string();
      space();
      if (text[i] !== ":") expected('":" after the key');
      i++;
      value();
    });
    if (c === "[") return members("]", value);
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) return void (i = NUMBER.lastIndex);
    for (const word of ["true", "false", "null"]) if (text.startsWith(word, i)) return void (i += word.length);
    expected("a value");
  };

  /** The inside of an object or an array: entries separated by commas, no comma before the closing bracket. */
  const members = (close: string, entry: () => void) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      entry();
      space();
      if (text[i] === close) return void i++;
      if (text[i] !== ",") expected(`"," or "${close}"`);
      const comma = i++;
      space();
      if (text[i] === close) fail(`a comma before "${close}" (JSON allows none)`, comma);
    }
  };

  try {
    value();
    space();
    if (i < text.length) expected("the end of the file after the value");
    return undefined;
  } catch (e) {
    if (!(e instanceof Broken)) throw e;
    const before = text.slice(0, e.offset);
    const line = before.split("\n").length;
    return { line, column: e.offset - before.lastIndexOf("\n"), problem: e.problem };
  }
}
