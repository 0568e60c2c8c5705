import { token } from './harness.ts';

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a text/event-stream with fetch (as the inbox does) and collects its events. */
export async function openStream(url: string, csmId: string, as = csmId, manager?: { team?: string }) {
  const controller = new AbortController();
  const bearer = manager ? await token(as, 'manager', undefined, manager.team) : await token(as);
  const res = await fetch(`${url}/api/csm/${csmId}/stream`, { headers: { authorization: `Bearer ${bearer}` }, signal: controller.signal });
  const events: SseEvent[] = [];
  if (res.ok) {
    void (async () => {
      let buffer = '';
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body!) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1];
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return { status: res.status, contentType: res.headers.get('content-type'), events, close: () => controller.abort() };
}
