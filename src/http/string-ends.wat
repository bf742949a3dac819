;; Where a JSON string ends, and what its text holds, 16 bytes at a time (string-ends.ts loads it; the bytes built
;; from this file are string-ends.gen.ts, which `bun run scripts/wasm.ts` writes).
;;
;; Memory: bytes 0–127 are a table of the escapes a string may hold as two characters (\" \\ \/ \b \f \n \r \t);
;; the caller copies the body from byte 128 on, with 16 bytes to spare after its end.
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

  ;; The index of the quote that ends the string whose opening quote is at $at, before $end; -1 when none does.
  (func (export "close") (param $at i32) (param $end i32) (result i32)
    (local $v v128) (local $hits i32) (local $k i32) (local $c i32) (local $escapes i32) (local $flags i32)
    (local.set $at (i32.add (local.get $at) (i32.const 1)))
    (block $unterminated
      (loop $next
        (if (i32.le_u (i32.add (local.get $at) (i32.const 16)) (local.get $end))
          (then
            ;; One bit for each of the 16 bytes that is a quote, a backslash or a control character.
            (local.set $v (v128.load (local.get $at)))
            (local.set $hits (i8x16.bitmask (v128.or
              (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 34))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 92))))
              (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 32))))))
            (if (i32.eqz (local.get $hits))
              (then (local.set $at (i32.add (local.get $at) (i32.const 16))) (br $next)))
            ;; Each hit in turn, without loading the 16 bytes again: text is an escape every ~45 bytes.
            (loop $hit
              (local.set $k (i32.ctz (local.get $hits)))
              (local.set $c (i32.load8_u (i32.add (local.get $at) (local.get $k))))
              (if (i32.eq (local.get $c) (i32.const 34))
                (then
                  (global.set $escapes (local.get $escapes))
                  (global.set $flags (local.get $flags))
                  (return (i32.add (local.get $at) (local.get $k)))))
              (if (i32.eq (local.get $c) (i32.const 92))
                (then
                  (local.set $c (i32.load8_u (i32.add (i32.add (local.get $at) (local.get $k)) (i32.const 1))))
                  (if (i32.or (i32.ge_u (local.get $c) (i32.const 128)) (i32.eqz (i32.load8_u (local.get $c))))
                    (then (local.set $flags (i32.or (local.get $flags) (i32.const 1)))))
                  (local.set $escapes (i32.add (local.get $escapes) (i32.const 1)))
                  ;; The escaped character is the next block's first: go on after it.
                  (if (i32.eq (local.get $k) (i32.const 15))
                    (then (local.set $at (i32.add (local.get $at) (i32.const 17))) (br $next)))
                  ;; Else it is this block's: neither it nor the backslash is a hit any more.
                  (local.set $hits (i32.and (local.get $hits)
                    (i32.sub (i32.const 0) (i32.shl (i32.const 1) (i32.add (local.get $k) (i32.const 2)))))))
                (else
                  (local.set $flags (i32.or (local.get $flags) (i32.const 2)))
                  (local.set $hits (i32.and (local.get $hits) (i32.sub (local.get $hits) (i32.const 1))))))
              (br_if $hit (local.get $hits)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $next)))
        ;; Fewer than 16 bytes left: one at a time.
        (br_if $unterminated (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $at)))
        (if (i32.eq (local.get $c) (i32.const 34))
          (then
            (global.set $escapes (local.get $escapes))
            (global.set $flags (local.get $flags))
            (return (local.get $at))))
        (if (i32.eq (local.get $c) (i32.const 92))
          (then
            (local.set $c (i32.load8_u (i32.add (local.get $at) (i32.const 1))))
            (if (i32.or (i32.ge_u (local.get $c) (i32.const 128)) (i32.eqz (i32.load8_u (local.get $c))))
              (then (local.set $flags (i32.or (local.get $flags) (i32.const 1)))))
            (local.set $escapes (i32.add (local.get $escapes) (i32.const 1)))
            (local.set $at (i32.add (local.get $at) (i32.const 2)))
            (br $next)))
        (if (i32.lt_u (local.get $c) (i32.const 32))
          (then (local.set $flags (i32.or (local.get $flags) (i32.const 2)))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $next)))
    (i32.const -1))
)
