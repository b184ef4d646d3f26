// The config centre in the browser (issue 7): typed items with a secret, a problem shown on its row, publish
// with a message, history with the difference between two versions key by key, secret values revealed by
// an admin, export (the downloaded file's content), import with a preview, copy to another environment,
// comparison of two environments, publish with apply; then a viewer, who sees neither edit controls nor
// secret values. The project, environments and app are made through the API (no deploy needed).
import { readFileSync } from 'node:fs';

const P = 'cfgshop';
const A = 'api';
const VIEWER_PASSWORD = 'viewer-initial-pass-1';
const VIEWER_NEW_PASSWORD = 'viewer-own-password-2';

function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

export default async function config(t) {
  const { server, page, step, shot, api, image } = t;
  const url = (env) => `${server.url}/projects/${P}/apps/${A}/environments/${env}/config`;

  // The row labels ("key · what") of a ChangeTable, sorted.
  const rowsOf = async (table) => (await table.locator('tbody th[scope="row"]').allTextContents()).map((s) => s.trim()).sort();
  // The (before, after) cells of the row labelled `what`.
  const cellsOf = async (table, what) => {
    const row = table.locator('tbody tr').filter({ has: page.locator('th[scope="row"]', { hasText: what }) });
    return [(await row.locator('td.old').textContent()).trim(), (await row.locator('td.new').textContent()).trim()];
  };
  const itemRows = () => page.locator('[data-testid="config-items"] tbody tr');

  async function addItem(key, type, value, { comment, secret } = {}) {
    const n = (await page.getByTestId('config-items').count()) ? await itemRows().count() : 0;
    await page.getByRole('button', { name: 'Add item' }).click();
    await page.getByLabel(`Key of item ${n + 1}`, { exact: true }).fill(key);
    if (type !== 'string') await page.getByLabel(`Type of ${key}`, { exact: true }).selectOption(type);
    await page.getByLabel(`Value of ${key}`, { exact: true }).fill(value);
    if (comment) await page.getByLabel(`Comment of ${key}`, { exact: true }).fill(comment);
    if (secret) await page.getByLabel(`${key} is a secret`, { exact: true }).check();
  }

  async function publish(message, expectText) {
    await page.getByLabel("Why (the version's message)").fill(message);
    await page.getByTestId('config-publish').click();
    await page.getByRole('status').filter({ hasText: expectText }).waitFor();
  }

  await step('setup through the API: a project with dev and prod, an app', async () => {
    let r = await api('POST', '/api/v1/projects', { name: P, displayName: 'Config shop' });
    if (r.status !== 201) throw new Error(`creating the project: ${JSON.stringify(r)}`);
    for (const env of ['dev', 'prod']) {
      r = await api('POST', `/api/v1/projects/${P}/environments`, { name: env, clusters: ['local'] });
      if (r.status !== 201) throw new Error(`creating ${env}: ${JSON.stringify(r)}`);
    }
    r = await api('POST', `/api/v1/projects/${P}/apps`, { name: A, image: `${image}:v1`, replicas: 1 });
    if (r.status !== 201) throw new Error(`creating the app: ${JSON.stringify(r)}`);
    await t.login(page);
    await page.goto(url('dev'));
    await page.getByText('No items.').waitFor();
  });

  await step('typed items with a secret; the invalid one shows its problem on its row', async () => {
    await addItem('greeting', 'string', 'hello', { comment: 'shown on the page' });
    await addItem('workers', 'int', 'many');
    await addItem('db.password', 'string', 's3cret-one', { secret: true });
    await addItem('debug', 'bool', 'false');
    await addItem('application.yaml', 'yaml', 'server:\n  port: 8080\n');
    // A secret is typed into a password field.
    same(await page.getByLabel('Value of db.password', { exact: true }).getAttribute('type'), 'password', 'the secret value field type');
    await page.getByTestId('config-save').click();
    const alert = page.locator('tr[data-key="workers"]').getByRole('alert');
    await alert.getByText(/not an integer/).waitFor();
    same(await page.locator('tr.has-error').count(), 1, 'rows with a problem');
    same(await page.getByLabel('Value of workers', { exact: true }).getAttribute('aria-invalid'), 'true', 'aria-invalid of the bad value');
    await shot('20-config-invalid');
    await page.getByLabel('Value of workers', { exact: true }).fill('4');
    await page.getByTestId('config-save').click();
    await alert.waitFor({ state: 'detached' });
    // What the draft changes since version 0: five added keys, the secret masked.
    const changes = page.getByRole('table', { name: 'What the draft changes since version 0' });
    await changes.locator('tbody tr').nth(4).waitFor();
    same(await rowsOf(changes), ['application.yaml · added', 'db.password · added', 'debug · added', 'greeting · added', 'workers · added'], 'draft changes');
    same((await cellsOf(changes, 'db.password · added'))[1], '****** (string, secret)', 'the added secret in the draft changes');
  });

  await step('publish v1 with a message', async () => {
    await publish('first config', 'Published as version 1.');
    await page.getByRole('table', { name: 'Published versions' }).getByText('first config').waitFor();
    await page.getByText('The draft is the same as its base version.').waitFor();
    await shot('21-config-published');
  });

  await step('change, remove and add items; publish v2', async () => {
    await page.getByLabel('Value of greeting', { exact: true }).fill('hello again');
    await page.getByLabel('Comment of workers', { exact: true }).fill('per instance');
    await page.getByRole('button', { name: 'Remove debug', exact: true }).click();
    await addItem('timeout', 'int', '30');
    await page.getByLabel('Value of db.password', { exact: true }).fill('s3cret-two');
    await page.getByLabel('Value of application.yaml', { exact: true }).fill('server:\n  port: 9090\n');
    await page.getByTestId('config-save').click();
    await page.getByRole('table', { name: 'What the draft changes since version 1' }).waitFor();
    await publish('second config', 'Published as version 2.');
    await page.getByRole('table', { name: 'Published versions' }).getByText('second config').waitFor();
  });

  await step('history: v1 → v2 key by key, with who/when/why; the items of v1', async () => {
    await page.getByLabel('Compare from v1', { exact: true }).check();
    await page.getByLabel('Compare to v2', { exact: true }).check();
    const section = page.getByTestId('config-history-diff');
    await section.getByRole('heading', { name: 'v1 → v2' }).waitFor();
    const diff = section.getByRole('table', { name: 'What changes from v1 to v2' });
    await diff.locator('tbody tr').nth(5).waitFor();
    same(
      await rowsOf(diff),
      ['application.yaml · Value', 'db.password · Value', 'debug · removed', 'greeting · Value', 'timeout · added', 'workers · Comment'],
      'the changes from v1 to v2',
    );
    same(await cellsOf(diff, 'greeting · Value'), ['hello', 'hello again'], 'greeting v1 → v2');
    same(await cellsOf(diff, 'workers · Comment'), ['—', 'per instance'], 'the comment of workers v1 → v2');
    same(await cellsOf(diff, 'db.password · Value'), ['******', '****** (a new value)'], 'the secret v1 → v2, masked');
    same(await cellsOf(diff, 'timeout · added'), ['—', '30 (int)'], 'timeout added');
    // The yaml file, line by line.
    const lines = await section.getByLabel('application.yaml, line by line').textContent();
    if (!lines.includes('-   port: 8080') || !lines.includes('+   port: 9090')) throw new Error(`the line diff of application.yaml: ${lines}`);
    const meta = await section.locator('.config-meta').textContent();
    if (!/v1by admin, .+: first config/.test(meta) || !/v2by admin, .+: second config/.test(meta)) throw new Error(`the versions' who/when/why: ${meta}`);
    if ((await section.textContent()).includes('s3cret')) throw new Error('a secret value is shown without revealing');
    await shot('22-config-history-diff');
    await page.getByRole('button', { name: 'View the items of version 1' }).click();
    const items = page.getByRole('table', { name: 'Items of version 1' });
    same(await rowsOf(items), ['application.yaml', 'db.passwordSecret', 'debug', 'greeting', 'workers'].sort(), 'the keys of v1');
    same((await items.locator('tr[data-key="db.password"] td').nth(1).textContent()).trim(), '******', 'the secret in v1');
    same((await items.locator('tr[data-key="greeting"] td').nth(1).textContent()).trim(), 'hello', 'greeting in v1');
    await page.getByRole('button', { name: 'View the items of version 1' }).click();
    await items.waitFor({ state: 'detached' });
  });

  await step('an admin reveals the secret values (with the keyboard), then hides them', async () => {
    const reveal = page.getByTestId('config-reveal');
    same(await reveal.getAttribute('aria-pressed'), 'false', 'the reveal toggle before');
    await reveal.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Secret values are shown.').waitFor();
    same(await reveal.getAttribute('aria-pressed'), 'true', 'the reveal toggle after');
    const diff = page.getByRole('table', { name: 'What changes from v1 to v2' });
    await diff.getByText('s3cret-two').waitFor();
    same(await cellsOf(diff, 'db.password · Value'), ['s3cret-one', 's3cret-two'], 'the secret v1 → v2, revealed');
    const value = page.getByLabel('Value of db.password', { exact: true });
    await page.waitForFunction(() => document.querySelector('tr[data-key="db.password"] input[type="text"][aria-label="Value of db.password"]')?.value === 's3cret-two');
    same(await value.getAttribute('type'), 'text', 'the revealed secret field type');
    await shot('23-config-revealed');
    await reveal.click();
    await page.getByText('Secret values are shown.').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelector('input[aria-label="Value of db.password"]')?.value === '******');
    await diff.getByText('s3cret-two').waitFor({ state: 'detached' });
  });

  await step('export v2 as JSON (masked) and as .env (with secrets): the downloads', async () => {
    await page.getByTestId('config-export').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('What to export').selectOption({ label: 'v2 — second config' });
    await dialog.getByLabel('Format').selectOption('json');
    same(await dialog.getByLabel('Include secret values (recorded in the audit log)').isChecked(), false, 'secrets in the export by default');
    let [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('config-export-download').click()]);
    same(download.suggestedFilename(), 'api-dev-v2.json', 'the JSON file name');
    const json = JSON.parse(readFileSync(await download.path(), 'utf8'));
    // Scalars only (no application.yaml), typed, the secret masked.
    same(json, { 'db.password': '******', greeting: 'hello again', timeout: 30, workers: 4 }, 'the exported JSON');
    await dialog.getByText('Downloaded api-dev-v2.json.').waitFor();
    await dialog.getByLabel('Format').selectOption('env');
    await dialog.getByLabel('Include secret values (recorded in the audit log)').check();
    [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('config-export-download').click()]);
    same(download.suggestedFilename(), 'api-dev-v2.env', 'the .env file name');
    same(readFileSync(await download.path(), 'utf8'), "db.password=s3cret-two\ngreeting='hello again'\ntimeout=30\nworkers=4\n", 'the exported .env');
    await dialog.getByText('Downloaded api-dev-v2.env.').waitFor();
    await shot('24-config-export');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  await step('import: a refused text shows its error next to the text; a file shows its preview, then saves', async () => {
    await page.getByTestId('config-import').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Format').selectOption('json');
    await dialog.getByLabel('Text to import').fill('{"nested": {"a": 1}}');
    await dialog.getByText(/This text cannot be imported: .*only a flat object/).waitFor();
    await dialog.getByTestId('config-import-confirm').click();
    // The API's own error, next to the field it names.
    await dialog.locator('.field.has-error').filter({ hasText: 'Text to import' }).getByRole('alert').getByText(/only a flat object/).waitFor();
    await dialog.getByLabel('File', { exact: true }).setInputFiles({
      name: 'ops.properties',
      mimeType: 'text/plain',
      buffer: Buffer.from('# from ops\ngreeting=imported hello\nfeature.flag=on\nworkers=8\n'),
    });
    same(await dialog.getByLabel('Format').inputValue(), 'properties', 'the format guessed from the file name');
    const preview = dialog.getByRole('table', { name: 'Changes from the 3 keys of the text' });
    await preview.waitFor();
    same(await rowsOf(preview), ['feature.flag · added', 'greeting · Value', 'workers · Value'], 'the import preview');
    same(await cellsOf(preview, 'workers · Value'), ['4', '8'], 'workers in the preview');
    await shot('25-config-import-preview');
    await dialog.getByTestId('config-import-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Imported 3 keys into the draft.').waitFor();
    await page.waitForFunction(() => document.querySelector('input[aria-label="Value of greeting"]')?.value === 'imported hello');
    same(await page.getByLabel('Value of feature.flag', { exact: true }).inputValue(), 'on', 'the imported new key');
    // An existing item keeps its type.
    same(await page.getByLabel('Type of workers', { exact: true }).inputValue(), 'int', 'the type of workers after the import');
    same(await rowsOf(page.getByRole('table', { name: 'What the draft changes since version 2' })), ['feature.flag · added', 'greeting · Value', 'workers · Value'], 'the draft changes after the import');
  });

  await step('copy the draft to prod, then publish it there', async () => {
    await page.getByTestId('config-copy').click();
    const dialog = page.getByRole('dialog');
    same(await dialog.getByLabel('Into the draft of').inputValue(), 'prod', 'the copy target');
    // Before copying, the server's dry run: what prod's draft would change.
    const preview = dialog.getByTestId('config-copy-preview');
    await preview.getByRole('heading', { name: /If you copy: what the draft of prod would change/ }).waitFor();
    same((await rowsOf(preview.getByRole('table'))).length, 6, "the keys prod's draft would gain");
    await dialog.getByTestId('config-copy-confirm').click();
    const result = dialog.getByTestId('config-copy-result');
    await result.getByText('Copied 6 items from the draft into the draft of prod.').waitFor();
    same(
      await rowsOf(result.getByRole('table')),
      ['application.yaml · added', 'db.password · added', 'feature.flag · added', 'greeting · added', 'timeout · added', 'workers · added'],
      "what prod's draft now changes",
    );
    await shot('26-config-copy');
    await dialog.getByRole('button', { name: 'Open the config of prod' }).click();
    await page.waitForURL(url('prod'));
    await page.getByRole('link', { name: 'prod', exact: true }).and(page.locator('[aria-current="page"]')).waitFor();
    await page.waitForFunction(() => document.querySelector('input[aria-label="Value of greeting"]')?.value === 'imported hello');
    same(await itemRows().count(), 6, 'items in the draft of prod');
    await publish('from dev', 'Published as version 1.');
  });

  await step('compare dev with prod: published (live here, latest there), then drafts', async () => {
    await page.goto(url('dev'));
    await page.getByTestId('config-compare-env').selectOption('prod');
    const table = page.getByRole('table', { name: 'dev v2 (live) compared with prod v1 (latest)' });
    await table.waitFor();
    same(await rowsOf(table), ['feature.flag · only in prod', 'greeting · Value', 'workers · Value'], 'dev v2 against prod v1');
    same(await cellsOf(table, 'greeting · Value'), ['hello again', 'imported hello'], 'greeting in dev and prod');
    const compare = page.getByTestId('config-compare');
    await compare.getByText('2 different, 1 only in prod, 0 only in dev').waitFor();
    await compare.getByText(/Secret values hidden, not compared: db\.password\./).waitFor();
    await shot('27-config-compare');
    await page.getByLabel('Drafts', { exact: true }).check();
    const drafts = page.getByRole('table', { name: 'draft of dev compared with draft of prod' });
    await drafts.waitFor();
    await drafts.getByText('Nothing changes.').waitFor();
    await compare.getByText(/Secret values hidden, not compared: db\.password\./).waitFor();
    // Revealed, the secrets compare too: the same value in both drafts.
    await page.getByTestId('config-reveal').click();
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="config-compare"]');
      return c && c.textContent.includes('Nothing changes.') && !c.textContent.includes('Secret values hidden');
    });
    await page.getByTestId('config-reveal').click();
    await page.getByText('Secret values are shown.').waitFor({ state: 'detached' });
  });

  await step('publish with apply: restart is refused next to the choice (never deployed), hot goes live', async () => {
    await page.getByLabel('Value of greeting', { exact: true }).fill('hello hot');
    await page.getByTestId('config-save').click();
    await page.getByRole('table', { name: 'What the draft changes since version 2' }).getByText('hello hot').waitFor();
    await page.getByLabel("Why (the version's message)").fill('hot fix');
    await page.getByLabel(/^Restart/).check();
    await page.getByTestId('config-publish').click();
    await page.locator('fieldset.apply').getByRole('alert').getByText(/was never deployed/).waitFor();
    same((await page.getByRole('table', { name: 'Published versions' }).locator('tbody tr').nth(1).textContent()).includes('v2'), true, 'v2 still the latest after the refused restart');
    await page.getByLabel(/^Hot update/).check();
    await page.getByTestId('config-publish').click();
    await page.getByText('Published as version 3: config clients have it now.').waitFor();
    await page.getByTestId('config-live').getByText('Live now: version 3').waitFor();
    const live = await api('GET', `/api/v1/projects/${P}/apps/${A}/environments/dev/config/live`);
    same(live.body.version, 3, 'the live version through the API');
    same(live.body.items.find((i) => i.key === 'greeting').value, 'hello hot', 'greeting in the live version');
    await shot('28-config-publish-hot');
  });

  await step('the config tab in Chinese', async () => {
    await page.getByTestId('lang').selectOption('zh-CN');
    await page.getByRole('button', { name: '显示保密值' }).waitFor();
    await page.getByRole('group', { name: '发布后' }).waitFor();
    await shot('29-config-zh-CN');
    await page.getByTestId('lang').selectOption('en');
    await page.getByRole('button', { name: 'Show secret values' }).waitFor();
  });

  await step('a viewer sees no edit or publish controls and no secret values', async () => {
    let r = await api('POST', '/api/v1/users', { name: 'vic', displayName: 'Vic', password: VIEWER_PASSWORD });
    if (r.status !== 201) throw new Error(`creating vic: ${JSON.stringify(r)}`);
    r = await api('POST', `/api/v1/projects/${P}/members`, { kind: 'user', subject: 'vic', role: 'viewer' });
    if (r.status !== 201) throw new Error(`adding vic: ${JSON.stringify(r)}`);
    const vp = await t.newPage();
    await vp.goto(url('dev'));
    await vp.getByLabel('User name').fill('vic');
    await vp.getByLabel('Password', { exact: true }).fill(VIEWER_PASSWORD);
    await vp.getByRole('button', { name: 'Log in' }).click();
    await vp.getByLabel('Current password').fill(VIEWER_PASSWORD);
    await vp.getByLabel('New password', { exact: true }).fill(VIEWER_NEW_PASSWORD);
    await vp.getByLabel('New password again').fill(VIEWER_NEW_PASSWORD);
    await vp.getByRole('button', { name: 'Change password' }).click();
    await vp.locator('tr[data-key="db.password"]').waitFor();
    await vp.getByRole('table', { name: 'Published versions' }).getByText('hot fix').waitFor();
    for (const id of ['config-save', 'config-publish', 'config-reveal', 'config-import', 'config-copy'])
      if ((await vp.getByTestId(id).count()) !== 0) throw new Error(`the viewer sees ${id}`);
    for (const name of ['Add item', 'Publish', 'Show secret values'])
      if ((await vp.getByRole('button', { name, exact: true }).count()) !== 0) throw new Error(`the viewer sees the button ${name}`);
    if ((await vp.getByRole('button', { name: /^Remove / }).count()) !== 0) throw new Error('the viewer sees remove buttons');
    same(await vp.getByLabel('Value of greeting', { exact: true }).getAttribute('readonly'), '', 'the viewer\'s value field is read-only');
    same(await vp.getByLabel('Type of greeting', { exact: true }).isDisabled(), true, 'the viewer\'s type field is disabled');
    same(await vp.getByLabel('Value of db.password', { exact: true }).inputValue(), '******', 'the secret for the viewer');
    // The history shows the versions and their differences, masked.
    await vp.getByLabel('Compare from v1', { exact: true }).check();
    await vp.getByLabel('Compare to v3', { exact: true }).check();
    await vp.getByRole('table', { name: 'What changes from v1 to v3' }).waitFor();
    await vp.getByRole('button', { name: 'View the items of version 3' }).click();
    await vp.getByRole('table', { name: 'Items of version 3' }).waitFor();
    if ((await vp.locator('body').textContent()).includes('s3cret')) throw new Error('the viewer sees a secret value');
    const values = await vp.locator('input, textarea').evaluateAll((els) => els.map((e) => e.value));
    if (values.some((v) => v.includes('s3cret'))) throw new Error('a field shows the viewer a secret value');
    // The export is masked and offers no secrets.
    await vp.getByTestId('config-export').click();
    const dialog = vp.getByRole('dialog');
    await dialog.getByText('Secret values are exported as ******.').waitFor();
    same(await dialog.getByLabel(/Include secret values/).count(), 0, 'the viewer\'s secret export option');
    await shot('29-config-viewer', vp);
    await vp.keyboard.press('Escape');
    // The API refuses anyway: the viewer's own session asking for the revealed draft.
    const refused = await vp.evaluate(async (path) => {
      const res = await fetch(path);
      return { status: res.status, body: await res.json() };
    }, `/api/v1/projects/${P}/apps/${A}/environments/dev/config/draft?reveal=1`);
    if (refused.status !== 403 || refused.body.error.code !== 'forbidden') throw new Error(`the viewer's reveal answered ${JSON.stringify(refused)}`);
  });
}
