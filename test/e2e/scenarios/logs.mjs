// Long lists stay smooth: an app that writes 12,000 log lines, read in the console with 10,000 earlier lines
// (the view is virtualised: few rows in the DOM however many lines it holds), scrolled from the top to the
// bottom while the frame times are measured, searched and downloaded. The figures are reported, not
// asserted (timings are measurements); what is asserted is what the view shows.
import { readFileSync } from 'node:fs';
import { waitUntil } from '../fixtures.mjs';

const LINES = 12000;

export default async function logs(t) {
  const { page, step, shot, api, image } = t;
  const base = '/api/v1/projects/chatter/apps/chatty/environments/dev';

  await step('an app that writes 12,000 lines, deployed through the API', async () => {
    for (const [path, body] of [
      ['/api/v1/projects', { name: 'chatter' }],
      ['/api/v1/projects/chatter/environments', { name: 'dev', clusters: ['local'] }],
      ['/api/v1/projects/chatter/apps', {
        name: 'chatty', image: `${image}:v1`, replicas: 1, resources: { cpu: '500m', memory: '64Mi' },
        ports: [{ name: 'http', port: 8080 }],
        command: ['/bin/sh', '-c',
          `i=0; while [ $i -lt ${LINES} ]; do echo "line $i of the chatty app"; i=$((i+1)); done; exec /bin/httpd -f -p 8080 -h /www`],
        healthCheck: { readiness: { http: { path: '/', port: 'http' }, periodSeconds: 1 } },
      }],
      [`${base}/deploy`, { message: 'chatty' }],
    ]) {
      const r = await api('POST', path, body);
      if (r.status !== 201 && r.status !== 202) throw new Error(`POST ${path}: ${JSON.stringify(r)}`);
    }
    await waitUntil(async () => (await api('GET', `${base}/releases/1`)).body?.status === 'succeeded', {
      timeout: 90000, interval: 250, what: 'the release to succeed',
    });
  });

  await step('10,000 earlier lines in the view: loaded, few rows in the DOM, smooth scrolling', async () => {
    await t.login(page);
    await page.goto(`${t.server.url}/projects/chatter/apps/chatty/environments/dev/logs`);
    await page.getByTestId('log-count').getByText(/lines/).waitFor();
    const t0 = Date.now();
    await page.getByTestId('log-tail').selectOption('10000');
    await page.getByTestId('log-count').getByText(/^10,?000 lines/).waitFor({ timeout: 30000 });
    const loaded = Date.now() - t0;
    const view = page.getByRole('list', { name: 'Logs' });
    const rows = await view.getByRole('listitem').count();
    if (rows > 80) throw new Error(`${rows} rows in the DOM for 10,000 lines`);
    // Following: the newest line is in view.
    await view.getByText(new RegExp(`line ${LINES - 1} of the chatty app$`)).first().waitFor();
    // Scroll from the top to the bottom in 60 steps, one per frame, recording each frame's duration.
    const frames = await view.evaluate(async (el) => {
      el.scrollTop = 0;
      await new Promise((r) => requestAnimationFrame(r));
      const times = [];
      let last = performance.now();
      const step = (el.scrollHeight - el.clientHeight) / 60;
      for (let i = 1; i <= 60; i++) {
        el.scrollTop = step * i;
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return times;
    });
    frames.sort((a, b) => a - b);
    const median = frames[Math.floor(frames.length / 2)];
    const worst = frames[frames.length - 1];
    await view.getByText(new RegExp(`line ${LINES - 1} of the chatty app$`)).first().waitFor();
    // The oldest of the 10,000 (the app writes nothing else).
    await view.evaluate((el) => (el.scrollTop = 0));
    await view.getByText(new RegExp(`line ${LINES - 10000} of the chatty app$`)).first().waitFor();
    t.report(`10,000 log lines: in the view ${loaded} ms after asking, ${rows} rows in the DOM, ` +
      `scrolling top to bottom: median frame ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms`);
    await shot('15-logs-10000');
  });

  await step('search narrows the 10,000 lines; download holds them all', async () => {
    const t0 = Date.now();
    await page.getByTestId('log-search').fill('99 of the chatty');
    // Lines 99, 199, ..., 11999 that are among the 10,000 shown.
    const count = page.getByTestId('log-count');
    await count.getByText(/lines match/).waitFor();
    const searched = Date.now() - t0;
    const text = await count.textContent();
    const [, n, total] = /(\d[\d,]*) of (\d[\d,]*) lines match/.exec(text).map((x) => Number(String(x).replace(/,/g, '')));
    if (total < 10000 || n !== 100) throw new Error(`search: ${text}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    const held = readFileSync(await download.path(), 'utf8').trimEnd().split('\n');
    if (held.length !== total || !held.at(-1).includes(`line ${LINES - 1} of the chatty app`))
      throw new Error(`the download holds ${held.length} lines, the last: ${held.at(-1)}`);
    t.report(`search over ${total} lines shown in ${searched} ms`);
  });
}
