import { createSignal } from "solid-js";

/** One shared second-by-second clock for countdowns ("back in 42 s") instead of a timer per row. */
const [now, setNow] = createSignal(Date.now());
setInterval(() => setNow(Date.now()), 1000);

export { now };
