import { createSignal } from "solid-js";

export type ToastTone = "ok" | "error" | "info";

export interface Toast {
  id: number;
  tone: ToastTone;
  text: string;
}

const [toasts, setToasts] = createSignal<Toast[]>([]);
let nextId = 1;

export { toasts };

export function dismissToast(id: number): void {
  setToasts((list) => list.filter((toast) => toast.id !== id));
}

/** A short note in the corner; errors stay until dismissed, the rest fade after a few seconds. */
export function notify(tone: ToastTone, text: string): void {
  const id = nextId++;
  setToasts((list) => [...list.slice(-4), { id, tone, text }]);
  if (tone !== "error") setTimeout(() => dismissToast(id), 4000);
}
