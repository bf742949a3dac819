;; Where a JSON string ends, and what its text holds (string-ends.ts loads it; the bytes built from this file are
;; string-ends.gen.ts, which `bun run scripts/wasm.ts` writes).
;;
;; Memory: bytes 0–127 are a table of the escapes a string may hold as two characters (\" \\ \/ \b \f \n \r \t);
;; the caller copies the body from byte 128 on, with 64 bytes to spare after its end.
;;
;; The text is read 64 bytes at a time, as masks of 64 bits (quotes, backslashes, control characters). Claude Code's
;; text has an escape every ~40 bytes at places no branch predicts, so escapes are read from the masks rather than one
;; by one: where no backslash follows another, each backslash escapes the byte after it, and the string ends at the
;; first quote not escaped. 64 bytes holding a doubled backslash are walked one byte at a time. The masks are written
;; out where they are used: JavaScriptCore does not inline calls between WebAssembly functions (through helper
;; functions, a megabyte of source text took 296 µs, written out 175).
(module
  (memory (export "memory") 1)
  (data (i32.const 34) "\01")
  (data (i32.const 47) "\01")
  (data (i32.const 92) "\01")
  (data (i32.const 98) "\01")
  (data (i32.const 102) "\01")
  (data (i32.const 110) "\01")
  (data (i32.const 114) "\01")
  (data (i32.const 116) "\01")
  ;; Of the string `close` last found: its escapes, and what it holds that JSON's text may not or a cut may not:
  ;; 1, an escape other than the short ones (\u among them); 2, a raw control character.
  (global $escapes (export "escapes") (mut i32) (i32.const 0))
  (global $flags (export "flags") (mut i32) (i32.const 0))
  ;; Of the string `close` last found: how many UTF-16 units fewer than bytes its text decodes to (a continuation byte
  ;; adds no unit, the lead of a four-byte sequence one more: a surrogate pair), so 0 for ASCII. The body is valid UTF-8.
  (global $wide (export "wide") (mut i32) (i32.const 0))
  ;; A byte is a short escape's second character (" / \ b f n r t) where these tables, read at its low and at its high
  ;; nibble, share a bit: each high nibble that has one (2: " /, 5: \, 6: b f n, 7: r t) has a bit of its own, set in
  ;; the entries of the low nibbles it pairs with.
  (global $low v128 (v128.const i8x16 0 0 0x0d 0 0x08 0 0x04 0 0 0 0 0 0x02 0 0x04 0x01))
  (global $high v128 (v128.const i8x16 0 0 0x01 0 0 0x02 0x04 0x08 0 0 0 0 0 0 0 0))

  ;; The index of the quote that ends the string whose opening quote is at $at, before $end, times two, plus one where
  ;; its text is more than ASCII of short escapes ($wide or $flags not 0: reading those globals from JavaScript for
  ;; every string cost more than the rest of its work); -1 when none does.
  (func (export "close") (param $at i32) (param $end i32) (result i32)
    (local $p i32) (local $first i32) (local $stop i32) (local $c i32) (local $escapes i32) (local $flags i32)
    (local $short i32) (local $wide i32) (local $continued i64) (local $fours i64)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $valid i64) (local $backslashes i64) (local $escaped i64) (local $ends i64) (local $controls i64)
    (local $bad i64) (local $before i64)
    ;; 1 when the first of these 64 bytes is escaped by a backslash that ended the last 64.
    (local $carry i64)
    (local.set $p (i32.add (local.get $at) (i32.const 1)))
    ;; Most strings are keys, ids and names, which end within their first 16 bytes, before any escape.
    (local.set $v0 (v128.load (local.get $p)))
    (local.set $first (i8x16.bitmask (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 34)))))
    ;; The bytes before the first quote.
    (local.set $short (i32.sub (i32.and (local.get $first) (i32.sub (i32.const 0) (local.get $first))) (i32.const 1)))
    (if (i32.and
          (i32.ne (local.get $first) (i32.const 0))
          (i32.eqz (i32.and
            (local.get $short)
            (i8x16.bitmask (v128.or
              (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 92)))
              (i8x16.lt_u (local.get $v0) (i8x16.splat (i32.const 32))))))))
      (then
        (local.set $first (i32.add (local.get $p) (i32.ctz (local.get $first))))
        (if (i32.lt_u (local.get $first) (local.get $end))
          (then
            (global.set $escapes (i32.const 0))
            (global.set $flags (i32.const 0))
            (global.set $wide
              (if (result i32) (i32.eqz (i32.and (local.get $short) (i8x16.bitmask (local.get $v0))))
                (then (i32.const 0))
                (else (i32.sub
                  (i32.popcnt (i32.and (local.get $short) (i8x16.bitmask (i8x16.lt_s (local.get $v0) (i8x16.splat (i32.const -64))))))
                  (i32.popcnt (i32.and (local.get $short) (i8x16.bitmask (i8x16.ge_u (local.get $v0) (i8x16.splat (i32.const 0xf0))))))))))
            (return (i32.add (i32.shl (local.get $first) (i32.const 1)) (i32.ne (global.get $wide) (i32.const 0))))))))
    (loop $next
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $v0 (v128.load offset=0 (local.get $p)))
      (local.set $v1 (v128.load offset=16 (local.get $p)))
      (local.set $v2 (v128.load offset=32 (local.get $p)))
      (local.set $v3 (v128.load offset=48 (local.get $p)))
      ;; The bytes before the body's end.
      (local.set $valid
        (if (result i64) (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 64))
          (then (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $end) (local.get $p)))) (i64.const 1)))
          (else (i64.const -1))))
      ;; Those that escape the byte after them (not the first, when it is escaped itself).
      (local.set $backslashes (i64.and (i64.and (local.get $valid) (i64.xor (local.get $carry) (i64.const -1)))
        (i64.or
          (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 92))))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 92))))) (i64.const 16)))
          (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 92))))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v3) (i8x16.splat (i32.const 92))))) (i64.const 48))))))
      (if (i64.eqz (i64.and (local.get $backslashes) (i64.shl (local.get $backslashes) (i64.const 1))))
        (then
          (local.set $escaped (i64.or (i64.shl (local.get $backslashes) (i64.const 1)) (local.get $carry)))
          (local.set $ends (i64.and (i64.and (local.get $valid) (i64.xor (local.get $escaped) (i64.const -1)))
            (i64.or
              (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 34))))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 34))))) (i64.const 16)))
              (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 34))))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v3) (i8x16.splat (i32.const 34))))) (i64.const 48))))))
          ;; Bytes below 32 as signed bytes: the control characters, and every byte past ASCII. Text without either,
          ;; most of it, needs nothing more here.
          (local.set $controls (i64.and (local.get $valid)
            (i64.or
              (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_s (local.get $v0) (i8x16.splat (i32.const 32))))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_s (local.get $v1) (i8x16.splat (i32.const 32))))) (i64.const 16)))
              (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_s (local.get $v2) (i8x16.splat (i32.const 32))))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_s (local.get $v3) (i8x16.splat (i32.const 32))))) (i64.const 48))))))
          (if (i64.eqz (local.get $controls))
            (then
              (local.set $continued (i64.const 0))
              (local.set $fours (i64.const 0)))
            (else
              (local.set $controls (i64.and (local.get $valid)
                (i64.or
                  (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_u (local.get $v0) (i8x16.splat (i32.const 32))))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_u (local.get $v1) (i8x16.splat (i32.const 32))))) (i64.const 16)))
                  (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_u (local.get $v2) (i8x16.splat (i32.const 32))))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_u (local.get $v3) (i8x16.splat (i32.const 32))))) (i64.const 48))))))
              ;; Bytes past ASCII: continuation bytes (10xxxxxx, below 0xc0 as signed bytes) and the leads of four-byte
              ;; sequences (0xf0 on).
              (local.set $continued (i64.and (local.get $valid)
                (i64.or
                  (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_s (local.get $v0) (i8x16.splat (i32.const -64))))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_s (local.get $v1) (i8x16.splat (i32.const -64))))) (i64.const 16)))
                  (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_s (local.get $v2) (i8x16.splat (i32.const -64))))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.lt_s (local.get $v3) (i8x16.splat (i32.const -64))))) (i64.const 48))))))
              (local.set $fours (i64.and (local.get $valid)
                (i64.or
                  (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.ge_u (local.get $v0) (i8x16.splat (i32.const 0xf0))))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.ge_u (local.get $v1) (i8x16.splat (i32.const 0xf0))))) (i64.const 16)))
                  (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.ge_u (local.get $v2) (i8x16.splat (i32.const 0xf0))))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.ge_u (local.get $v3) (i8x16.splat (i32.const 0xf0))))) (i64.const 48))))))))
          ;; Escaped bytes that are not a short escape's second character.
          (local.set $bad
            (if (result i64) (i64.eqz (local.get $escaped))
              (then (i64.const 0))
              (else (i64.and (local.get $escaped) (i64.xor (i64.const -1)
                (i64.or
                  (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.ne (v128.and (i8x16.swizzle (global.get $low) (v128.and (local.get $v0) (i8x16.splat (i32.const 0x0f)))) (i8x16.swizzle (global.get $high) (i8x16.shr_u (local.get $v0) (i32.const 4)))) (v128.const i64x2 0 0)))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.ne (v128.and (i8x16.swizzle (global.get $low) (v128.and (local.get $v1) (i8x16.splat (i32.const 0x0f)))) (i8x16.swizzle (global.get $high) (i8x16.shr_u (local.get $v1) (i32.const 4)))) (v128.const i64x2 0 0)))) (i64.const 16)))
                  (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.ne (v128.and (i8x16.swizzle (global.get $low) (v128.and (local.get $v2) (i8x16.splat (i32.const 0x0f)))) (i8x16.swizzle (global.get $high) (i8x16.shr_u (local.get $v2) (i32.const 4)))) (v128.const i64x2 0 0)))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.ne (v128.and (i8x16.swizzle (global.get $low) (v128.and (local.get $v3) (i8x16.splat (i32.const 0x0f)))) (i8x16.swizzle (global.get $high) (i8x16.shr_u (local.get $v3) (i32.const 4)))) (v128.const i64x2 0 0)))) (i64.const 48)))))))))
          (if (i64.ne (local.get $ends) (i64.const 0))
            (then
              ;; The string ends at the first of them: what it holds is what lies before.
              (local.set $before (i64.sub (i64.shl (i64.const 1) (i64.ctz (local.get $ends))) (i64.const 1)))
              (global.set $escapes (i32.add (local.get $escapes) (i32.wrap_i64 (i64.popcnt (i64.and (local.get $escaped) (local.get $before))))))
              (global.set $wide (i32.add (local.get $wide) (i32.wrap_i64 (i64.sub
                (i64.popcnt (i64.and (local.get $continued) (local.get $before)))
                (i64.popcnt (i64.and (local.get $fours) (local.get $before)))))))
              (global.set $flags (i32.or (local.get $flags) (i32.or
                (i64.ne (i64.and (local.get $bad) (local.get $before)) (i64.const 0))
                (i32.shl (i64.ne (i64.and (local.get $controls) (local.get $before)) (i64.const 0)) (i32.const 1)))))
              (return (i32.add
                (i32.shl (i32.add (local.get $p) (i32.wrap_i64 (i64.ctz (local.get $ends)))) (i32.const 1))
                (i32.or (i32.ne (global.get $wide) (i32.const 0)) (i32.ne (global.get $flags) (i32.const 0)))))))
          (local.set $escapes (i32.add (local.get $escapes) (i32.wrap_i64 (i64.popcnt (local.get $escaped)))))
          (local.set $wide (i32.add (local.get $wide) (i32.wrap_i64 (i64.sub (i64.popcnt (local.get $continued)) (i64.popcnt (local.get $fours))))))
          (local.set $flags (i32.or (local.get $flags) (i32.or
            (i64.ne (local.get $bad) (i64.const 0))
            (i32.shl (i64.ne (local.get $controls) (i64.const 0)) (i32.const 1)))))
          (local.set $carry (i64.shr_u (local.get $backslashes) (i64.const 63)))
          (local.set $p (i32.add (local.get $p) (i32.const 64)))
          (br $next)))
      ;; A doubled backslash: these 64 bytes one at a time, and the next 64 from wherever that ends.
      (local.set $stop (i32.add (local.get $p) (i32.const 64)))
      (if (i64.ne (local.get $carry) (i64.const 0))
        (then
          (local.set $c (i32.load8_u (local.get $p)))
          (if (i32.or (i32.ge_u (local.get $c) (i32.const 128)) (i32.eqz (i32.load8_u (local.get $c))))
            (then (local.set $flags (i32.or (local.get $flags) (i32.const 1)))))
          (local.set $escapes (i32.add (local.get $escapes) (i32.const 1)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))))
      (local.set $carry (i64.const 0))
      (block $walked
        (loop $byte
          (br_if $walked (i32.ge_u (local.get $p) (local.get $stop)))
          (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
          (local.set $c (i32.load8_u (local.get $p)))
          (if (i32.eq (local.get $c) (i32.const 34))
            (then
              (global.set $escapes (local.get $escapes))
              (global.set $flags (local.get $flags))
              (global.set $wide (local.get $wide))
              (return (i32.add (i32.shl (local.get $p) (i32.const 1)) (i32.or (i32.ne (local.get $wide) (i32.const 0)) (i32.ne (local.get $flags) (i32.const 0)))))))
          (if (i32.eq (local.get $c) (i32.const 92))
            (then
              (if (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $end)) (then (return (i32.const -1))))
              (local.set $c (i32.load8_u (i32.add (local.get $p) (i32.const 1))))
              (if (i32.or (i32.ge_u (local.get $c) (i32.const 128)) (i32.eqz (i32.load8_u (local.get $c))))
                (then (local.set $flags (i32.or (local.get $flags) (i32.const 1)))))
              (local.set $escapes (i32.add (local.get $escapes) (i32.const 1)))
              (local.set $p (i32.add (local.get $p) (i32.const 2)))
              (br $byte)))
          (if (i32.lt_u (local.get $c) (i32.const 32))
            (then (local.set $flags (i32.or (local.get $flags) (i32.const 2)))))
          (if (i32.ge_u (local.get $c) (i32.const 0x80))
            (then (local.set $wide (i32.add (local.get $wide)
              (i32.sub (i32.lt_u (local.get $c) (i32.const 0xc0)) (i32.ge_u (local.get $c) (i32.const 0xf0)))))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $byte)))
      (br $next))
    (i32.const -1))

  ;; Of the text from $at to $end (a string's, without its quotes; valid UTF-8 with only short escapes): how many of its
  ;; characters lie outside the ranges the token estimate counts as Latin (tokens.ts isWestern: up to U+024F,
  ;; U+1E00–1EFF, U+2C60–2C7F, U+A720–A7FF, U+AB30–AB6F), a character beyond the BMP once; how many of those there are
  ;; is left in $pairs (each is two UTF-16 units). Only a lead byte from 0xc9 on can start such a character: 16 bytes
  ;; holding none are passed over at once.
  (global $pairs (export "pairs") (mut i32) (i32.const 0))
  (func (export "beyond") (param $at i32) (param $end i32) (result i32)
    (local $p i32) (local $mask i32) (local $i i32) (local $c i32) (local $n i32) (local $point i32)
    (local $count i32) (local $pairs i32)
    (local.set $p (local.get $at))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $mask (i8x16.bitmask (i8x16.ge_u (v128.load (local.get $p)) (i8x16.splat (i32.const 0xc9)))))
        (if (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 16))
          (then (local.set $mask (i32.and (local.get $mask)
            (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $p))) (i32.const 1))))))
        (block $leads
          (loop $lead
            (br_if $leads (i32.eqz (local.get $mask)))
            (local.set $i (i32.add (local.get $p) (i32.ctz (local.get $mask))))
            (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
            (local.set $c (i32.load8_u (local.get $i)))
            (local.set $n (i32.load8_u offset=1 (local.get $i)))
            (if (i32.lt_u (local.get $c) (i32.const 0xe0))
              (then
                ;; Two bytes: 0xc9 0x80–0x8f is U+0240–024F, still Latin; the rest, U+0250–07FF, is not.
                (local.set $count (i32.add (local.get $count)
                  (i32.or (i32.ne (local.get $c) (i32.const 0xc9)) (i32.ge_u (local.get $n) (i32.const 0x90))))))
              (else
                (if (i32.ge_u (local.get $c) (i32.const 0xf0))
                  (then
                    (local.set $count (i32.add (local.get $count) (i32.const 1)))
                    (local.set $pairs (i32.add (local.get $pairs) (i32.const 1))))
                  (else
                    ;; Three bytes: the code point, then the four Latin ranges above U+07FF.
                    (local.set $point (i32.or (i32.or
                      (i32.shl (i32.and (local.get $c) (i32.const 0x0f)) (i32.const 12))
                      (i32.shl (i32.and (local.get $n) (i32.const 0x3f)) (i32.const 6)))
                      (i32.and (i32.load8_u offset=2 (local.get $i)) (i32.const 0x3f))))
                    (local.set $count (i32.add (local.get $count) (i32.eqz (i32.or (i32.or
                      (i32.lt_u (i32.sub (local.get $point) (i32.const 0x1e00)) (i32.const 0x100))
                      (i32.lt_u (i32.sub (local.get $point) (i32.const 0x2c60)) (i32.const 0x20)))
                      (i32.or
                        (i32.lt_u (i32.sub (local.get $point) (i32.const 0xa720)) (i32.const 0xe0))
                        (i32.lt_u (i32.sub (local.get $point) (i32.const 0xab30)) (i32.const 0x40)))))))))))
            (br $lead)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (global.set $pairs (local.get $pairs))
    (local.get $count))
)
