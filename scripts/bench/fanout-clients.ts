/**
 * The clients of the fan-out benchmark, in their own process so that their
 * work and memory are not counted as the server's. Driven over IPC by
 * scripts/bench/fanout.ts: connect N authenticated sockets (one session cookie
 * each) that join one topic room, then report when every socket has received
 * each round's counter update, with the time each one received it.
 */
import { io, type Socket } from 'socket.io-client';

interface Setup {
  url: string;
  cookies: string[];
  room: string;
  counter: string;
}

type Command = { kind: 'setup'; setup: Setup } | { kind: 'close' };

const send = (message: unknown) => process.send?.(message);
const sockets: Socket[] = [];
/** round → receipt times (ms since the epoch, sub-millisecond) */
const receipts = new Map<number, number[]>();
let expected = 0;

const now = () => performance.timeOrigin + performance.now();

function connect(setup: Setup, cookie: string): Promise<Socket> {
  const socket = io(setup.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { Cookie: cookie },
  });
  socket.on('rt:counters', (message: { values: Record<string, number> }) => {
    const round = message.values[setup.counter];
    if (round === undefined) return;
    const times = receipts.get(round) ?? [];
    times.push(now());
    receipts.set(round, times);
    if (times.length === expected) send({ kind: 'round', round, times });
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', async () => {
      const ack = (await socket.timeout(30_000).emitWithAck('rt:join', { rooms: [setup.room] })) as {
        joined?: string[];
      };
      if (ack.joined?.[0] !== setup.room) reject(new Error(`join refused: ${JSON.stringify(ack)}`));
      else resolve(socket);
    });
    socket.once('connect_error', (err) => reject(err));
  });
}

process.on('message', async (command: Command) => {
  if (command.kind === 'close') {
    for (const socket of sockets) socket.close();
    process.exit(0);
  }
  const { setup } = command;
  expected = setup.cookies.length;
  const started = now();
  // In batches, as a floor of agents opening their browsers would.
  for (let i = 0; i < setup.cookies.length; i += 50) {
    sockets.push(
      ...(await Promise.all(setup.cookies.slice(i, i + 50).map((cookie) => connect(setup, cookie)))),
    );
  }
  send({ kind: 'ready', connectMs: now() - started });
});
