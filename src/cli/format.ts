import type { RoomMessage } from '../client/index.js';

export const OUTPUT_FORMATS = ['text', 'json', 'raw'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * One message as printed by `listen` and `chat`. `text`: `[room] sender: text` (the sender
 * only when the server tells it); `json`: one object per line, a stable shape for jq;
 * `raw`: the text alone.
 */
export function formatMessage(
  message: RoomMessage,
  format: OutputFormat,
  time = new Date(),
): string {
  switch (format) {
    case 'raw':
      return message.text;
    case 'json':
      return JSON.stringify({
        room: message.room,
        sender: message.sender ?? null,
        text: message.text,
        time: time.toISOString(),
      });
    default:
      return message.sender === undefined
        ? `[${message.room}] ${message.text}`
        : `[${message.room}] ${message.sender}: ${message.text}`;
  }
}
