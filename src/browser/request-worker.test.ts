import { describe, expect, it } from 'vitest';
import { GenerateError, RequestWorkerClient, type RequestWorkerLike } from './request-worker.ts';

type Request = { type: 'echo'; id: number; value: string };
type Reply = { type: 'echoed'; id: number; value: string } | { type: 'error'; id: number; error: { kind: 'internal'; message: string } };

/** A worker that holds requests until the test answers them. */
class FakeWorker implements RequestWorkerLike<Request, Reply> {
  received: Request[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<Reply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: ((event: MessageEvent) => void) | null = null;
  postMessage(message: Request) {
    this.received.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  reply(message: Reply) {
    this.onmessage?.({ data: message } as MessageEvent<Reply>);
  }
  crash(message: string) {
    this.onerror?.({ message, preventDefault() {} } as ErrorEvent);
  }
}

class EchoClient extends RequestWorkerClient<Request, Reply> {
  echo(value: string) {
    return this.request({ type: 'echo', id: 0, value });
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const client = new EchoClient('the echo worker', () => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  });
  return { client, workers };
}

describe('RequestWorkerClient', () => {
  it('matches replies to requests by id, in any order, on one worker', async () => {
    const { client, workers } = setup();
    const a = client.echo('a');
    const b = client.echo('b');
    expect(workers).toHaveLength(1);
    const [ra, rb] = workers[0].received;
    expect(ra.id).not.toBe(rb.id);
    workers[0].reply({ type: 'echoed', id: rb.id, value: 'B' });
    workers[0].reply({ type: 'echoed', id: ra.id, value: 'A' });
    await expect(a).resolves.toMatchObject({ value: 'A' });
    await expect(b).resolves.toMatchObject({ value: 'B' });
  });

  it("rejects with the worker's error, and a crash rejects everything pending and starts afresh next time", async () => {
    const { client, workers } = setup();
    const failing = client.echo('x');
    workers[0].reply({ type: 'error', id: workers[0].received[0].id, error: { kind: 'internal', message: 'bad graph' } });
    await expect(failing).rejects.toBeInstanceOf(GenerateError);

    const lost = client.echo('y');
    workers[0].crash('out of memory');
    await expect(lost).rejects.toThrow('the echo worker failed: out of memory');
    expect(workers[0].terminated).toBe(true);

    const next = client.echo('z');
    expect(workers).toHaveLength(2);
    workers[1].reply({ type: 'echoed', id: workers[1].received[0].id, value: 'Z' });
    await expect(next).resolves.toMatchObject({ value: 'Z' });
  });

  it('dispose rejects pending requests and ends the worker', async () => {
    const { client, workers } = setup();
    const pending = client.echo('p');
    client.dispose();
    await expect(pending).rejects.toThrow('the echo worker was closed');
    expect(workers[0].terminated).toBe(true);
  });
});
