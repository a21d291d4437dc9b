/**
 * Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: commands on fd 3, replies
 * and events on fd 4, each a JSON message ended by NUL), for what a --dump-dom probe (./chromium.ts) cannot do: a
 * page that reads real files the way a user gives them, dropped onto it (Input.dispatchDragEvent with files) or picked
 * in its file input (DOM.setFileInputFiles), in real time. Node 20 has no WebSocket client; the pipe needs none.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { type Readable, type Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { CHROMIUM } from './chromium.js';

interface Message { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string }; sessionId?: string }

export class PipePage {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners: Array<(m: Message) => void> = [];
  /** console errors, uncaught exceptions and failed loads of the page */
  readonly errors: string[] = [];
  private sessionId = '';

  private constructor(private readonly proc: ChildProcess, private readonly input: Writable, output: Readable) {
    let buf = Buffer.alloc(0);
    output.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (let end = buf.indexOf(0); end >= 0; end = buf.indexOf(0)) {
        const m = JSON.parse(buf.subarray(0, end).toString('utf8')) as Message;
        buf = buf.subarray(end + 1);
        this.dispatch(m);
      }
    });
  }

  /** Chromium with a fresh profile, one page attached; console errors and exceptions are recorded. */
  static async open(profile: string): Promise<PipePage> {
    const proc = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const page = new PipePage(proc, proc.stdio[3] as Writable, proc.stdio[4] as Readable);
    const { targetId } = await page.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await page.send('Target.attachToTarget', { targetId, flatten: true });
    page.sessionId = String(sessionId);
    page.on((m) => {
      if (m.method === 'Runtime.consoleAPICalled' && m.params?.type === 'error') {
        page.errors.push((m.params.args as Array<{ value?: unknown; description?: string }>).map((a) => String(a.value ?? a.description)).join(' '));
      }
      if (m.method === 'Runtime.exceptionThrown') {
        const d = m.params?.exceptionDetails as { text: string; exception?: { description?: string } };
        page.errors.push(d.exception?.description ?? d.text);
      }
      if (m.method === 'Log.entryAdded' && (m.params?.entry as { level: string }).level === 'error') page.errors.push((m.params!.entry as { text: string }).text);
    });
    await Promise.all(['Page.enable', 'Runtime.enable', 'Log.enable', 'DOM.enable'].map((x) => page.send(x)));
    return page;
  }

  private dispatch(m: Message): void {
    if (m.id !== undefined && this.pending.has(m.id)) {
      const p = this.pending.get(m.id)!;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`chromium: ${m.error.message}`));
      else p.resolve(m.result ?? {});
      return;
    }
    for (const l of [...this.listeners]) l(m);
  }

  private on(l: (m: Message) => void): () => void {
    this.listeners.push(l);
    return () => this.listeners.splice(this.listeners.indexOf(l), 1);
  }

  /** A protocol command (on the page's session once attached, unless `browser`); its result. */
  send(method: string, params: Record<string, unknown> = {}, browser = false): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const msg: Message = { id, method, params, ...(this.sessionId && !browser ? { sessionId: this.sessionId } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.input.write(`${JSON.stringify(msg)}\0`);
    });
  }

  /** Opens a local file and waits for its load event. */
  async goto(file: string, timeoutMs = 60_000): Promise<void> {
    let off = () => {};
    const loaded = new Promise<void>((resolve) => { off = this.on((m) => { if (m.method === 'Page.loadEventFired') resolve(); }); });
    await this.send('Page.navigate', { url: pathToFileURL(file).href });
    await withTimeout(loaded, timeoutMs, `${file} did not load`);
    off();
  }

  /** The value of an expression in the page (promises awaited). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`in the page: ${JSON.stringify(r.exceptionDetails)}`);
    return (r.result as { value: T }).value;
  }

  /** Waits until an expression is truthy in the page. */
  async waitFor(expression: string, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`Boolean(${expression})`))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Drops these files (paths on disk) onto the element `selector`, as a user's drag and drop does. */
  async dropFiles(selector: string, files: string[]): Promise<void> {
    const { x, y } = await this.centre(selector);
    const data = { items: [], files, dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop']) await this.send('Input.dispatchDragEvent', { type, x, y, data });
  }

  /** Picks these files in the file input `selector`, as the file dialog does (a change event follows). */
  async pickFiles(selector: string, files: string[]): Promise<void> {
    const { root } = await this.send('DOM.getDocument') as { root: { nodeId: number } };
    const { nodeId } = await this.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    await this.send('DOM.setFileInputFiles', { nodeId, files });
  }

  private async centre(selector: string): Promise<{ x: number; y: number }> {
    const box = await this.evaluate<{ x: number; y: number } | null>(`(() => { const e = document.querySelector(${JSON.stringify(selector)});
      if (!e) return null; e.scrollIntoView(); const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`);
    if (!box) throw new Error(`no ${selector} in the page`);
    return box;
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    try { await withTimeout(this.send('Browser.close', {}, true), 5000, 'Browser.close'); } catch { this.proc.kill('SIGKILL'); }
    await withTimeout(exited, 10_000, 'chromium did not exit').catch(() => this.proc.kill('SIGKILL'));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} (${ms} ms)`)), ms); })])
    .finally(() => clearTimeout(timer));
}
