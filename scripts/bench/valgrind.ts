/**
 * A valgrind that can run Bun, for counting instructions (instruction-count.ts). Every valgrind up to 3.24 stops at
 * one instruction Bun 1.4 executes on every request — `pcmpestri $0x4` (unsigned bytes, ranges: Bun's check for
 * control characters in a header value) — because its translator accepts only the immediates its authors validated,
 * though its helper computes the "ranges" comparison for the neighbouring ones (0x14, 0x44). This builds Debian's
 * valgrind 3.24 source with 0x04 accepted too, once, into a cache folder, and checks the result against the CPU:
 * a program running that instruction on 20,000 random inputs must print the same natively and under the build.
 * `bun run scripts/bench/valgrind.ts` prints the path of its `valgrind` (building it first, ~3.5 minutes on two cores;
 * needs gcc, make and bzip2).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, homedir, tmpdir } from "node:os";
import { join } from "node:path";

const VERSION = "3.24.0";
const SOURCE = `https://deb.debian.org/debian/pool/main/v/valgrind/valgrind_${VERSION}.orig.tar.bz2`;
const SOURCE_SHA256 = "71aee202bdef1ae73898ccf7e9c315134fa7db6c246063afc503aef702ec03bd";
/** The two lists of accepted immediates (the translator's and the helper's) open with this line. */
const ACCEPTED = "      case 0x00: case 0x02:\n";
const PATCHED = ["VEX/priv/guest_amd64_toIR.c", "VEX/priv/guest_generic_x87.c"];

export const valgrindHome = () => join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "kiro-ts", `valgrind-${VERSION}-pcmpestri04`);

/** Written once the build has passed its check: a build cut short is made again. */
const CHECKED = "checked";

/** The path of the built and checked valgrind, or undefined when there is none. */
export function builtValgrind(): string | undefined {
  return existsSync(join(valgrindHome(), CHECKED)) ? join(valgrindHome(), "bin", "valgrind") : undefined;
}

/** Runs `cmd` to its end: what it printed, or an error with the end of it when it fails. */
export async function run(cmd: string[], cwd: string, env: Record<string, string | undefined> = process.env): Promise<{ out: string; err: string }> {
  const proc = Bun.spawn(cmd, { cwd, env, stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if ((await proc.exited) !== 0) throw new Error(`${cmd.join(" ")} failed (exit ${proc.exitCode}):\n${(err || out).slice(-2000)}`);
  return { out, err };
}

/** Builds the valgrind unless it is there; returns its path. `say` hears each step. */
export async function patchedValgrind(say: (line: string) => void = () => {}): Promise<string> {
  const built = builtValgrind();
  if (built) return built;
  for (const tool of ["gcc", "make", "bzip2"]) {
    if (!Bun.which(tool)) throw new Error(`building valgrind needs ${tool} (apt-get install -y gcc make bzip2)`);
  }
  const work = await mkdtemp(join(tmpdir(), "kiro-valgrind-"));
  const home = valgrindHome();
  try {
    say(`downloading ${SOURCE}`);
    const response = await fetch(SOURCE);
    if (!response.ok) throw new Error(`${SOURCE}: HTTP ${response.status}`);
    const tarball = new Uint8Array(await response.arrayBuffer());
    const digest = new Bun.CryptoHasher("sha256").update(tarball).digest("hex");
    if (digest !== SOURCE_SHA256) throw new Error(`${SOURCE}: sha256 ${digest}, expected ${SOURCE_SHA256}`);
    await writeFile(join(work, "source.tar.bz2"), tarball);
    await run(["tar", "xjf", "source.tar.bz2"], work);
    const src = join(work, `valgrind-${VERSION}`);
    for (const file of PATCHED) {
      const text = await readFile(join(src, file), "utf8");
      if (text.split(ACCEPTED).length !== 2) throw new Error(`${file}: the list of accepted immediates is not where this patch expects it`);
      await writeFile(join(src, file), text.replace(ACCEPTED, "      case 0x00: case 0x02: case 0x04:\n"));
    }
    say(`building into ${home} (configure, make, make install)…`);
    // Built where it stays: the launcher finds its tools by the prefix compiled into it.
    await rm(home, { recursive: true, force: true });
    await run(["./configure", `--prefix=${home}`, "--enable-only64bit"], src);
    await run(["make", `-j${cpus().length}`], src);
    await run(["make", "install"], src);
    await checkAgainstCpu(join(home, "bin", "valgrind"), work);
    await writeFile(join(home, CHECKED), `${SOURCE}\n`);
    return builtValgrind()!;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The instruction the patch lets through, on random inputs: the same answers natively and under valgrind. */
async function checkAgainstCpu(valgrind: string, work: string): Promise<void> {
  const program = `#include <nmmintrin.h>
#include <stdio.h>
#include <stdint.h>
static uint64_t s = 88172645463325252ull;
static uint8_t next(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return (uint8_t)s; }
int main(void) {
  unsigned long sum = 0;
  for (int i = 0; i < 20000; i++) {
    uint8_t a[16], b[16];
    for (int j = 0; j < 16; j++) { a[j] = next(); b[j] = (i & 1) ? next() : (uint8_t)(next() & 0x1f); }
    int la = next() % 17, lb = next() % 17;
    __m128i va = _mm_loadu_si128((void *)a), vb = _mm_loadu_si128((void *)b);
    const int mode = _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_POSITIVE_POLARITY | _SIDD_LEAST_SIGNIFICANT;
    sum = sum * 31 + (unsigned)_mm_cmpestri(va, la, vb, lb, mode) * 2 + (unsigned)_mm_cmpestrc(va, la, vb, lb, mode);
  }
  printf("%lu\\n", sum);
  return 0;
}
`;
  await writeFile(join(work, "ranges.c"), program);
  await run(["gcc", "-O1", "-msse4.2", "-o", "ranges", "ranges.c"], work);
  const native = (await run([join(work, "ranges")], work)).out;
  const emulated = (await run([valgrind, "-q", join(work, "ranges")], work)).out;
  if (native !== emulated) throw new Error(`the patched valgrind answers pcmpestri $0x4 differently from the CPU (${emulated.trim()} against ${native.trim()})`);
}

if (import.meta.main) console.log(await patchedValgrind((line) => console.error(line)));
