// Follows the engine's event log (`pulumi up --event-log FILE`: one JSON engine event per line) while the update
// writes it, so progress shows as it happens; stop() reads what is left once the update has ended.
import * as fs from "fs";
import { StringDecoder } from "string_decoder";

export interface EventLogFollower {
  stop(): void;
}

/**
 * `onEvent` gets each event as it is written. A line that does not parse (only one cut short can) is skipped; an
 * event `onEvent` throws on is handed to `onError` once per error text, so a reader's fault shows instead of
 * silently dropping what follows it.
 */
export function followEventLog(
  file: string,
  onEvent: (event: unknown) => void,
  onError: (err: Error) => void = () => undefined,
  pollMs = 50,
): EventLogFollower {
  const told = new Set<string>();
  const decoder = new StringDecoder("utf8");
  const chunk = Buffer.alloc(1 << 16);
  let fd: number | undefined;
  let offset = 0;
  let pending = "";

  const emit = (line: string) => {
    if (line.trim() === "") return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return; // Only a line cut short can fail to parse; the engine writes whole lines.
    }
    try {
      onEvent(event);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      if (!told.has(e.message)) onError(e);
      told.add(e.message);
    }
  };
  const drain = () => {
    if (fd === undefined) {
      if (!fs.existsSync(file)) return;
      fd = fs.openSync(file, "r");
    }
    for (
      let n = fs.readSync(fd, chunk, 0, chunk.length, offset);
      n > 0;
      n = fs.readSync(fd, chunk, 0, chunk.length, offset)
    ) {
      offset += n;
      pending += decoder.write(chunk.subarray(0, n));
    }
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    lines.forEach(emit);
  };
  const timer = setInterval(drain, pollMs);
  return {
    stop() {
      clearInterval(timer);
      drain();
      emit(pending + decoder.end());
      pending = "";
      if (fd !== undefined) fs.closeSync(fd);
    },
  };
}
