/**
 * The command line's words read as node:util's parseArgs reads them (strict, positionals allowed) for kiro-ts's
 * options, without loading node:util: that module alone was ~1.3 ms of every start, its parser ~0.4 ms more.
 * cli-args.test.ts holds the two side by side.
 */

export interface CommandLine {
  values: { config?: string; credentials?: string; port?: string; host?: string; version?: boolean; help?: boolean };
  positionals: string[];
}

const OPTIONS = new Map<string, { type: "string" | "boolean"; short?: string }>([
  ["config", { type: "string", short: "c" }],
  ["credentials", { type: "string" }],
  ["port", { type: "string" }],
  ["host", { type: "string" }],
  ["version", { type: "boolean", short: "V" }],
  ["help", { type: "boolean", short: "h" }],
]);

/** A word the command line cannot take; `message` names the option as parseArgs's did. */
export interface CommandLineProblem {
  kind: "bad_option";
  message: string;
}

/** `-c` → `config`; a letter that is nobody's short form stands for itself (and is then unknown). */
function longName(letter: string): string {
  for (const [name, option] of OPTIONS) if (option.short === letter) return name;
  return letter;
}

const takesValue = (name: string) => OPTIONS.get(name)?.type === "string";

export function readCommandLine(argv: readonly string[]): CommandLine | CommandLineProblem {
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  /** Takes one option, or says why not. */
  const option = (name: string, rawName: string, value: string | undefined, inline: boolean): CommandLineProblem | undefined => {
    const known = OPTIONS.get(name);
    const bad = (what: string): CommandLineProblem => ({ kind: "bad_option", message: `unknown option ${what}` });
    if (!known) return bad(rawName);
    const shortAndLong = `${known.short ? `-${known.short}, ` : ""}--${name}`;
    if (known.type === "string" && value === undefined) return bad(`${shortAndLong} <value>`);
    if (known.type === "boolean" && value !== undefined) return bad(shortAndLong);
    // `-c --port` is more likely a forgotten value than a file named "--port".
    if (!inline && value !== undefined && value.length > 1 && value.startsWith("-")) return bad(rawName);
    values[name] = known.type === "string" ? value! : true;
  };
  const words = [...argv];
  while (words.length > 0) {
    const word = words.shift()!;
    let problem: CommandLineProblem | undefined;
    if (word === "--") {
      positionals.push(...words);
      break;
    }
    if (word.length < 2 || !word.startsWith("-")) {
      positionals.push(word);
    } else if (word.startsWith("--")) {
      const equals = word.indexOf("=");
      if (equals > 2) problem = option(word.slice(2, equals), `--${word.slice(2, equals)}`, word.slice(equals + 1), true);
      else problem = option(word.slice(2), word, takesValue(word.slice(2)) ? words.shift() : undefined, false);
    } else if (word.length === 2) {
      const name = longName(word[1]!);
      problem = option(name, word, takesValue(name) ? words.shift() : undefined, false);
    } else if (takesValue(longName(word[1]!))) {
      problem = option(longName(word[1]!), word.slice(0, 2), word.slice(2), true);
    } else {
      // A group such as -hV: each letter an option (a wrong one named bare, as parseArgs names it), up to one that
      // takes the rest of the word, or else the next word, as its value.
      for (let i = 1; i < word.length && !problem; i++) {
        const name = longName(word[i]!);
        if (!takesValue(name)) {
          problem = option(name, word[i]!, undefined, false);
          continue;
        }
        if (i === word.length - 1) problem = option(name, word[i]!, words.shift(), false);
        else problem = option(name, `-${word[i]}`, word.slice(i + 1), true);
        break;
      }
    }
    if (problem) return problem;
  }
  return { values: values as CommandLine["values"], positionals };
}
