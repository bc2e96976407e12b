/**
 * The moderation queue's keyboard: j/k (or the arrow keys) move, a approves, r rejects, o (or
 * Enter on a card) opens the photo, x (or Space on a card) marks it for a bulk action. Enter and
 * Space on a focused link or button are left to that control. Pure, so it is tested without a browser.
 */
export type QueueCommand =
  | { type: "select"; index: number }
  | { type: "approve"; index: number }
  | { type: "reject"; index: number }
  | { type: "open"; index: number }
  | { type: "mark"; index: number };

export interface KeyInput {
  key: string;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  /** Typing in a field (the reason box) must not move or act. */
  inEditableField?: boolean;
  /** Focus is on a link or button: Enter and Space are that control's own, never the queue's. */
  onControl?: boolean;
}

export function queueCommand(input: KeyInput, selected: number, count: number): QueueCommand | undefined {
  if (input.inEditableField || input.altKey || input.ctrlKey || input.metaKey || count === 0)
    return undefined;
  const index = Math.min(Math.max(selected, 0), count - 1);
  switch (input.key) {
    case "j":
    case "ArrowDown":
    case "ArrowRight":
      return { type: "select", index: Math.min(index + 1, count - 1) };
    case "k":
    case "ArrowUp":
    case "ArrowLeft":
      return { type: "select", index: Math.max(index - 1, 0) };
    case "a":
      return { type: "approve", index };
    case "r":
      return { type: "reject", index };
    case "o":
      return { type: "open", index };
    case "Enter":
      return input.onControl ? undefined : { type: "open", index };
    case "x":
      return { type: "mark", index };
    case " ":
      return input.onControl ? undefined : { type: "mark", index };
    default:
      return undefined;
  }
}
