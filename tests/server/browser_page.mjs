// build/server's web page (GET /, examples/server_page.html) in a headless
// Chromium, driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
// JSON messages ended by a NUL byte, fd 3 to the browser, fd 4 from it).
// Run by tests/test_page.sh:
//   node tests/server/browser_page.mjs SERVER_BIN CHROMIUM
// Types a prompt into the completion playground, clicks Generate, and checks
// that the text arrives in several pieces (DOM mutations), that the answer was
// a stream, and that the final text equals the server's answer without
// streaming for the same settings and seed. Chat and classification are
// checked against what the server answers directly: where it serves the
// endpoint the page must use it, where it does not the page must say so.
// Prints FAIL lines and "test_page: N passed, N failed". No npm packages.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [serverBin, chromium] = process.argv.slice(2);
const LM = 'models/shakespeare';
const CLASSIFIER = 'tests/data/heads/seqcls-2';
let passed = 0, failed = 0;
const children = [];
const profile = mkdtempSync(join(tmpdir(), 'llmh-page-'));

function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.log('FAIL test_page.sh: ' + what); }
}
let finishing = false;
async function finish() {
  if (finishing) return;
  finishing = true;
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await Promise.race([gone, sleep(5000)]);
  }
  try { rmSync(profile, { recursive: true, force: true, maxRetries: 5 }); } catch (e) { /* left in the temp dir */ }
  console.log(`test_page: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
setTimeout(() => { check(false, 'took longer than 90 s'); finish(); }, 90000).unref();

// build/server -m DIR --port 0: resolves with its base URL (it prints it first), or null.
function startServer(model, extra = []) {
  return new Promise((resolve) => {
    const p = spawn(serverBin, ['-m', model, '--port', '0', '--parallel', '2', '--quiet', ...extra],
                    { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(p);
    let out = '', err = '';
    p.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve('http://127.0.0.1:' + m[1]);
    });
    p.stderr.on('data', (d) => { err += d; });
    const failed = (why) => { if (!/127\.0\.0\.1:\d+/.test(out)) console.log(`test_page: ${model}: ${why}: ${err}`); };
    p.on('exit', (code) => { failed('server exited ' + code); resolve(null); });
    p.on('error', (e) => { failed(e.message); resolve(null); });
    setTimeout(() => { failed('no address in 30 s'); resolve(null); }, 30000).unref();
  });
}

async function postJson(base, path, body, key = '') {
  const headers = { 'Content-Type': 'application/json' };
  if (key) headers.Authorization = 'Bearer ' + key;
  const r = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
  let j = null;
  try { j = await r.json(); } catch (e) { /* not JSON */ }
  return { status: r.status, json: j };
}

// ---- the DevTools protocol over the pipe ----
class Browser {
  constructor(proc) {
    this.proc = proc;
    this.next = 1;
    this.pending = new Map();
    this.handlers = [];
    let buf = Buffer.alloc(0);
    proc.stdio[4].on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      let end;
      while ((end = buf.indexOf(0)) >= 0) {
        const msg = JSON.parse(buf.subarray(0, end).toString('utf8'));
        buf = buf.subarray(end + 1);
        if (msg.id !== undefined && this.pending.has(msg.id)) {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) p.reject(new Error(p.method + ': ' + msg.error.message));
          else p.resolve(msg.result);
        } else if (msg.method) {
          for (const h of this.handlers) h(msg);
        }
      }
    });
  }
  send(method, params = {}, sessionId = undefined) {
    const id = this.next++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    this.proc.stdio[3].write(JSON.stringify(msg) + '\0');
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
  }
  on(h) { this.handlers.push(h); }
}

// One tab: its session, and what it logged.
class Tab {
  constructor(browser, sessionId) {
    this.b = browser;
    this.s = sessionId;
    this.errors = [];      // exceptions, console errors, and log errors other than failed requests
    this.requests = [];    // every URL the page asked for
    this.streams = new Map();   // requestId -> { url, mime, chunks }
    this.loaded = false;
    browser.on((m) => {
      if (m.sessionId !== sessionId) return;
      const p = m.params;
      if (m.method === 'Runtime.exceptionThrown') this.errors.push(p.exceptionDetails.exception?.description ||
                                                                   p.exceptionDetails.text);
      else if (m.method === 'Runtime.consoleAPICalled' && p.type === 'error') {
        this.errors.push('console: ' + p.args.map((a) => a.value ?? a.description).join(' '));
      } else if (m.method === 'Log.entryAdded' && p.entry.level === 'error' && p.entry.source !== 'network') {
        this.errors.push('log: ' + p.entry.text);
      } else if (m.method === 'Network.requestWillBeSent') {
        this.requests.push(p.request.url);
        this.streams.set(p.requestId, { url: p.request.url, body: p.request.postData, mime: '', chunks: 0 });
      } else if (m.method === 'Network.responseReceived' && this.streams.has(p.requestId)) {
        this.streams.get(p.requestId).mime = p.response.mimeType;
      } else if (m.method === 'Network.dataReceived' && this.streams.has(p.requestId)) {
        this.streams.get(p.requestId).chunks++;
      } else if (m.method === 'Page.loadEventFired') this.loaded = true;
    });
  }
  cmd(method, params) { return this.b.send(method, params, this.s); }
  async eval(expr) {
    const r = await this.cmd('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error('evaluate ' + expr + ': ' + r.exceptionDetails.text);
    return r.result.value;
  }
  async until(expr, ms, what) {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      if (await this.eval(expr)) return true;
      await sleep(50);
    }
    check(false, 'waited ' + ms / 1000 + ' s for ' + what);
    return false;
  }
  // A left click in the middle of the element, as a user's: pressed and released.
  async click(id) {
    const r = await this.eval(`(() => { const e = document.getElementById(${JSON.stringify(id)});
      e.scrollIntoView({ block: 'center' }); const b = e.getBoundingClientRect();
      return [b.x + b.width / 2, b.y + b.height / 2]; })()`);
    for (const type of ['mousePressed', 'mouseReleased']) {
      await this.cmd('Input.dispatchMouseEvent', { type, x: r[0], y: r[1], button: 'left', clickCount: 1 });
    }
  }
  // Focuses the field, selects what it holds and types text over it.
  async type(id, text) {
    await this.eval(`(() => { const e = document.getElementById(${JSON.stringify(id)}); e.focus(); e.select(); })()`);
    await this.cmd('Input.insertText', { text });
  }
  async key(key, code, keyCode) {
    for (const type of ['keyDown', 'keyUp']) {
      await this.cmd('Input.dispatchKeyEvent', { type, key, code, windowsVirtualKeyCode: keyCode });
    }
  }
}

async function openTab(browser, url) {
  const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  const tab = new Tab(browser, sessionId);
  for (const d of ['Page', 'Runtime', 'Network', 'Log']) await tab.cmd(d + '.enable', {});
  await tab.cmd('Page.addScriptToEvaluateOnNewDocument', { source:
    "window.__csp = []; document.addEventListener('securitypolicyviolation', " +
    "(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));" });
  await tab.cmd('Page.navigate', { url });
  const t0 = Date.now();
  while (!tab.loaded && Date.now() - t0 < 20000) await sleep(20);
  check(tab.loaded, 'the page did not load in 20 s');
  await tab.until("document.body.dataset.ready === '1'", 20000, 'the page to find out what the server serves');
  return tab;
}

const SETTINGS = { temperature: 0.8, top_p: 0.95, top_k: 40, max_tokens: 48, seed: 7 };
async function setSettings(tab) {
  for (const [k, v] of Object.entries(SETTINGS)) await tab.type(k, String(v));
  await tab.eval("document.getElementById('stream').checked = true");
}

// What every page should have: its own requests only, no error, no CSP violation, labelled fields.
async function checkClean(tab, base, what) {
  const foreign = tab.requests.filter((u) => !u.startsWith(base + '/') && !u.startsWith('data:'));
  check(foreign.length === 0, what + ': requests elsewhere: ' + foreign.join(' '));
  check(tab.errors.length === 0, what + ': errors in the page: ' + tab.errors.join(' | '));
  const csp = await tab.eval('window.__csp');
  check(csp.length === 0, what + ': Content-Security-Policy violations: ' + csp.join(' | '));
  const unlabelled = await tab.eval(`[...document.querySelectorAll('input, textarea, button, [role=log]')]
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
    .map((e) => e.id)`);
  check(unlabelled.length === 0, what + ': fields without a label: ' + unlabelled.join(' '));
}

// The completion playground: typed prompt, a click, streamed pieces, the non-streamed answer.
async function testCompletion(tab, base) {
  const prompt = 'KING HENRY:';
  await tab.click('tab-complete');
  check(await tab.eval("!document.getElementById('panel-complete').hidden"), 'a click on Completion shows it');
  await tab.type('prompt', prompt);
  await tab.eval(`(() => {
    window.__pieces = []; const out = document.getElementById('out-text');
    new MutationObserver((recs) => { for (const r of recs) {
      window.__pieces.push([...r.addedNodes].map((n) => n.textContent).join('')); } })
      .observe(out, { childList: true, characterData: true, subtree: true }); })()`);
  const t0 = Date.now();
  await tab.click('generate');
  if (!await tab.until("document.getElementById('panel-complete').dataset.state === 'done'", 30000,
                       'the completion: ' + await tab.eval("document.getElementById('complete-info').textContent"))) {
    return;
  }
  const ms = Date.now() - t0;
  const text = await tab.eval("document.getElementById('out-text').textContent");
  // one DOM mutation per streamed piece, each adding its text (the network may bring several pieces at once)
  const pieces = (await tab.eval('window.__pieces')).filter((t) => t !== '');
  check(pieces.length >= 3 && pieces.join('') === text,
        `the text did not come in pieces: ${JSON.stringify(pieces)} for ${JSON.stringify(text)}`);
  check(await tab.eval("document.getElementById('out-prompt').textContent") === prompt, 'the prompt is not shown');
  const req = [...tab.streams.values()].filter((s) => s.url === base + '/v1/completions');
  check(req.length === 1 && req[0].mime === 'text/event-stream',
        'the page did not stream /v1/completions: ' + JSON.stringify(req));
  const sent = req.length ? JSON.parse(req[0].body || '{}') : {};
  check(sent.prompt === prompt && sent.seed === SETTINGS.seed && sent.top_p === SETTINGS.top_p &&
        sent.top_k === SETTINGS.top_k && sent.max_tokens === SETTINGS.max_tokens &&
        sent.temperature === SETTINGS.temperature, 'the request does not carry the settings: ' + req[0]?.body);
  const want = await postJson(base, '/v1/completions', { prompt, ...SETTINGS });
  const wantText = want.json?.choices?.[0]?.text;
  check(want.status === 200 && typeof wantText === 'string' && wantText.length > 0,
        'the server without streaming: ' + JSON.stringify(want));
  check(text === wantText, `streamed text ${JSON.stringify(text)} is not the server's ${JSON.stringify(wantText)}`);
  const info = await tab.eval("document.getElementById('complete-info').textContent");
  check(/finish: (length|stop)/.test(info) && info.includes('generated tokens'), 'the summary line: ' + info);
  console.log(`test_page: the completion (${text.length} characters) arrived in ${pieces.length} pieces, ` +
              `${req[0]?.chunks} network reads, in ${ms} ms`);
}

// The chat tab: used where the server chats, explained where it does not.
async function testChat(tab, base) {
  const probe = await postJson(base, '/v1/chat/completions', { messages: [{ role: 'user', content: 'Hi' }],
                                                               max_tokens: 1 });
  const available = await tab.eval("document.getElementById('panel-chat').dataset.available");
  if (probe.status !== 200) {
    check(available === 'no', `chat answers ${probe.status} but the page offers it (${available})`);
    const note = await tab.eval("(() => { const n = document.getElementById('chat-note'); " +
                                "return n.hidden ? '' : n.textContent; })()");
    check(note.includes('does not chat') && note.includes(probe.json?.error?.message || '?'),
          'the chat tab does not explain why: ' + note);
    check(await tab.eval("document.getElementById('chat-send').disabled"), 'Send is enabled without chat');
    check(await tab.eval("document.getElementById('tab-complete').getAttribute('aria-selected')") === 'true',
          'Completion is not the tab shown first when chat is not served');
    return;
  }
  check(available === 'yes', 'chat is served but the page does not offer it: ' + available);
  await tab.click('tab-chat');
  await tab.type('chat-input', 'Who are you?');
  await tab.key('Enter', 'Enter', 13);
  if (!await tab.until("document.getElementById('panel-chat').dataset.state === 'done'", 30000,
                       'the chat reply: ' + await tab.eval("document.getElementById('chat-info').textContent"))) {
    return;
  }
  const reply = await tab.eval("[...document.querySelectorAll('#chat-log .msg.assistant span')].pop().textContent");
  const req = [...tab.streams.values()].filter((s) => s.url === base + '/v1/chat/completions');
  const last = req[req.length - 1];
  check(last && last.mime === 'text/event-stream', 'the page did not stream the chat: ' + JSON.stringify(last));
  const want = await postJson(base, '/v1/chat/completions', { messages: [{ role: 'user', content: 'Who are you?' }],
                                                              ...SETTINGS });
  const wantText = want.json?.choices?.[0]?.message?.content;
  check(want.status === 200 && reply === wantText,
        `chat reply ${JSON.stringify(reply)} is not the server's ${JSON.stringify(wantText)}`);
}

// The Arrow keys move between the tabs shown.
async function testKeyboard(tab) {
  await tab.eval("document.getElementById('tab-complete').focus()");
  await tab.key('ArrowLeft', 'ArrowLeft', 37);
  const sel = await tab.eval("[...document.querySelectorAll('[role=tab]')].filter((t) => " +
                             "t.getAttribute('aria-selected') === 'true').map((t) => t.id + (t === " +
                             "document.activeElement ? '*' : '')).join()");
  check(sel === 'tab-chat*', 'ArrowLeft on Completion: selected ' + sel);
}

// A classifier checkpoint behind --api-key: the page asks for the key, then shows
// the Classify tab where the server classifies with this model.
async function testClassifier(browser) {
  const key = 's3cret';
  const base = await startServer(CLASSIFIER, ['--api-key', key]);
  if (!base) { console.log('test_page: note: build/server does not start on ' + CLASSIFIER); return; }
  const text = 'I love programming.';
  const probe = await postJson(base, '/classify', { input: [text] }, key);
  const tab = await openTab(browser, base + '/');
  const line = await tab.eval("document.getElementById('model').textContent");
  check(line.includes('401') && line.includes('API key'), 'without the key, the model line says ' + line);
  await tab.type('key', key);
  await tab.eval("document.getElementById('key').blur()");
  await tab.until("document.body.dataset.ready === '1' && " +
                  "document.getElementById('model').textContent.startsWith('model: seqcls-2')", 20000,
                  'the page to use the API key');
  const shown = await tab.eval("!document.getElementById('tab-classify').hidden");
  if (probe.status !== 200) {
    check(!shown, `/classify answers ${probe.status} but the page shows the Classify tab`);
    console.log(`test_page: note: /classify answers ${probe.status} on ${CLASSIFIER}; the Classify tab is not tested`);
  } else {
    check(shown, 'the Classify tab is hidden on a classifier');
    check(await tab.eval("document.getElementById('generate').disabled"), 'Generate is enabled on a classifier');
    await tab.click('tab-classify');
    await tab.type('classify-input', text);
    await tab.click('classify-send');
    if (await tab.until("document.getElementById('panel-classify').dataset.state === 'done'", 30000,
                        'the classification')) {
      const cap = await tab.eval("document.querySelector('#classify-out caption').textContent");
      check(cap === text + ' -> ' + probe.json.data[0].label, `classification shown as ${JSON.stringify(cap)}, ` +
            'not the server\'s ' + JSON.stringify(probe.json.data[0]));
    }
  }
  await checkClean(tab, base, CLASSIFIER);
}

async function main() {
  const base = await startServer(LM);
  check(base, 'build/server did not start on ' + LM);
  if (!base) return finish();
  const proc = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                                '--no-first-run', '--no-default-browser-check', '--disable-extensions',
                                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                                '--mute-audio', '--remote-debugging-pipe', '--user-data-dir=' + profile,
                                'about:blank'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  children.push(proc);
  let log = '';
  proc.stderr.on('data', (d) => { log = (log + d).slice(-2000); });
  proc.on('exit', (code) => { if (!done) { check(false, 'chromium exited (' + code + '): ' + log); finish(); } });
  proc.on('error', (e) => { check(false, 'chromium: ' + e.message); finish(); });
  proc.stdio[3].on('error', () => {});   // the browser is gone: its exit or error event reports it
  const browser = new Browser(proc);
  const version = await browser.send('Browser.getVersion');
  const t0 = Date.now();
  const tab = await openTab(browser, base + '/');
  check(await tab.eval('document.title') === 'llm.h server', 'the page title');
  const model = await tab.eval("document.getElementById('model').textContent");
  check(model.startsWith('model: shakespeare'), 'the model line: ' + model);
  await setSettings(tab);
  await testChat(tab, base);
  await testCompletion(tab, base);
  await testKeyboard(tab);
  await checkClean(tab, base, LM);
  await testClassifier(browser);
  console.log(`test_page: ${version.product}, pages driven in ${Date.now() - t0} ms`);
  done = true;
  await browser.send('Browser.close').catch(() => {});
  finish();
}
let done = false;
main().catch((e) => { check(false, String(e.stack || e)); finish(); });
