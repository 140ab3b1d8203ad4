// Requests no well-behaved client would send (a declared 300 MB body, a foreign Host), over a bare socket.
import net from "node:net";

export function rawRequest(baseUrl: string, head: string, body = "", timeoutMs = 10_000): Promise<{ status: number; text: string; ms: number }> {
  const url = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms; got: ${data.slice(0, 200)}`));
    }, timeoutMs);
    socket.on("connect", () => socket.write(`${head.replace(/\n/g, "\r\n")}\r\n\r\n${body}`));
    socket.on("data", (d) => {
      data += d.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})[\s\S]*?\r\n\r\n([\s\S]*)$/.exec(data);
      if (m && /\r\n\r\n/.test(data)) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status: Number(m[1]), text: m[2], ms: performance.now() - started });
      }
    });
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
