// LSP base-protocol framing for the benchmark clients: Content-Length
// headers around JSON bodies, read from and written to a child's pipes.

/** Calls onMessage with each complete JSON-RPC message read from `stream`. */
export function readFrames(stream, onMessage) {
  let buffer = Buffer.alloc(0);
  stream.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length:\s*(\d+)/i.exec(buffer.subarray(0, end).toString('ascii'))[1]);
      if (buffer.length < end + 4 + length) return;
      const msg = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString('utf8'));
      buffer = buffer.subarray(end + 4 + length);
      onMessage(msg);
    }
  });
}

/** Writes one JSON-RPC message to `stream`. */
export function writeFrame(stream, message) {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  stream.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
}
