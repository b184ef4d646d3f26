// The administration scenario of the console, as a platform administrator and the people they let in would
// use it: a custom role made in the Roles page, local users in the Users page (server-side pages, edit, a new
// password, delete), an LDAP group and a local user bound on a project's Members page; then a company (LDAP)
// account logs in through the same form against a real slapd (a wrong password first) and sees what its
// group's role allows, a local user changes the password an administrator set and sees what a viewer sees;
// the clusters page with a broken kubeconfig; a role still bound cannot be deleted (409) until its binding goes.
//
// LDAP is a server setting (`--ldap-config`): prepare() starts slapd (stopped by PID after the server) and
// gives the server its LDAP configuration.
import { join } from 'node:path';
import { waitUntil, freePort } from '../fixtures.mjs';
import { ADMIN_PASSWORD } from '../harness.mjs';
import { startSlapd, passwordOf } from '../ldap.mjs';

const ROLE = 'release-manager';
const ROLE_PERMISSIONS = [
  'project.read', 'environment.read', 'app.read', 'release.read', 'instance.read', 'instance.logs', 'app.deploy', 'app.rollback',
];
const LOCAL_USER = 'lena';
const LOCAL_INITIAL = 'lena-initial-pass-1';
const LOCAL_RESET = 'lena-reset-by-admin-2';
const LOCAL_OWN = 'lena-own-password-3';
const ADMIN_NAV = ['Users', 'Roles', 'Audit log'];

const fail = (what) => {
  throw new Error(what);
};

export async function prepare(dir) {
  const slapd = await startSlapd(join(dir, 'slapd'));
  return { slapd, serverArgs: ['--ldap-config', slapd.config], stop: () => slapd.stop() };
}

export default async function admin(t) {
  const { step, shot, page, api } = t;
  const { slapd } = t.prepared;
  const srv = t.server;
  const ok = async (method, path, body, status) => {
    const r = await api(method, path, body);
    if (r.status !== status) fail(`${method} ${path} answered ${r.status} ${JSON.stringify(r.body)}, not ${status}`);
    return r.body;
  };
  const newPage = t.newPage;
  const submitLogin = async (p, user, password) => {
    await p.goto(srv.url + '/');
    await p.getByLabel('User name').fill(user);
    await p.getByLabel('Password', { exact: true }).fill(password);
    await p.getByRole('button', { name: 'Log in' }).click();
  };
  const navLinks = async (p) => p.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
  const noAdminNav = async (p, who) => {
    const links = await navLinks(p);
    const shown = ADMIN_NAV.filter((l) => links.includes(l));
    if (shown.length) fail(`${who} sees the administrator's navigation: ${shown.join(', ')}`);
  };
  // The error shown under the field labelled `label` (the Field component: .field.has-error, role=alert).
  const fieldAlert = (scope, label) =>
    scope.locator('.field.has-error').filter({ has: scope.page().getByText(label, { exact: true }) }).getByRole('alert');

  await step('a real slapd and a wharf server that logs company accounts in through it', async () => {
    if (!/^ldap:\/\/127\.0\.0\.1:\d+$/.test(slapd.url)) fail(`slapd listens on ${slapd.url}`);
    await ok('POST', '/api/v1/me/password', { currentPassword: srv.password, newPassword: ADMIN_PASSWORD }, 200);
    await ok('POST', '/api/v1/projects', { name: 'shop', displayName: 'Web shop' }, 201);
    await ok('POST', '/api/v1/projects/shop/environments', { name: 'dev', clusters: ['local'] }, 201);
    await ok('POST', '/api/v1/projects/shop/environments', { name: 'prod', clusters: ['local'] }, 201);
    await ok('POST', '/api/v1/projects/shop/apps', { name: 'web', image: `${t.image}:v1`, replicas: 1 }, 201);
    // The server's own LDAP connection works (a login of a directory account), before the browser relies on it.
    const r = await fetch(srv.url + '/api/v1/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'dave', password: passwordOf('dave'), tokenName: 'e2e check' }),
    });
    const body = await r.json();
    if (r.status !== 200 || body.source !== 'ldap' || !body.groups.includes('ops-team'))
      fail(`dave's LDAP login answered ${r.status} ${JSON.stringify(body)}`);
  });

  await step('admin logs in and sees the administration pages in the navigation', async () => {
    await submitLogin(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    const links = await navLinks(page);
    for (const l of ['Projects', 'Clusters', ...ADMIN_NAV])
      if (!links.includes(l)) fail(`the admin's navigation lacks ${l}: ${links.join(', ')}`);
  });

  await step('Roles page: built-in roles read-only, a custom role made from permissions grouped by scope', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
    const builtin = page.getByTestId('builtin-roles');
    for (const r of ['owner', 'developer', 'tester', 'viewer']) await builtin.locator(`tr[data-role="${r}"]`).waitFor();
    // Read-only: no edit or delete buttons on built-in roles; the viewer's permissions are shown.
    if ((await builtin.getByRole('button').count()) !== 0) fail('built-in roles have buttons');
    await builtin.locator('tr[data-role="viewer"]').getByText('instance.logs', { exact: true }).waitFor();
    if ((await builtin.locator('tr[data-role="viewer"]').getByText('app.deploy', { exact: true }).count()) !== 0)
      fail('the viewer role shows app.deploy');

    await page.getByRole('button', { name: 'New role' }).click();
    const dialog = page.getByRole('dialog', { name: 'New role' });
    // Keyboard: the dialog focuses its first field.
    if ((await page.evaluate(() => document.activeElement?.getAttribute('name'))) !== 'name')
      fail('the role dialog did not focus its name field');
    await dialog.getByLabel('Name', { exact: true }).fill(ROLE);
    await dialog.getByLabel('Description', { exact: true }).fill('Ships releases, nothing else');
    // Two groups: project-wide and per environment, never platform rights.
    await dialog.getByRole('group', { name: /Project-wide/ }).waitFor();
    await dialog.getByRole('group', { name: /Per environment/ }).waitFor();
    if ((await dialog.getByRole('checkbox', { name: /^user\.manage\b/ }).count()) !== 0)
      fail('a platform permission is offered for a role');
    // No permission: the API's error next to the permission list.
    await dialog.getByTestId('role-save').click();
    await dialog.locator('.perm-groups [role="alert"]').getByText(/at least one permission/).waitFor();
    for (const p of ROLE_PERMISSIONS) await dialog.getByRole('checkbox', { name: new RegExp(`^${p.replace('.', '\\.')} `) }).check();
    // Choosing answers the complaint: it goes until the next save.
    await dialog.locator('.perm-groups [role="alert"]').waitFor({ state: 'detached' });
    await dialog.getByText('deploy and upgrade').waitFor();
    await shot('30-role-dialog');
    await dialog.getByTestId('role-save').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(`Role ${ROLE} was created.`).waitFor();
    const row = page.getByTestId('custom-roles').locator(`tr[data-role="${ROLE}"]`);
    await row.getByText('app.rollback', { exact: true }).waitFor();
    const stored = (await ok('GET', '/api/v1/roles', undefined, 200)).items.find((r) => r.name === ROLE);
    if (!stored || stored.builtin || [...stored.permissions].sort().join() !== [...ROLE_PERMISSIONS].sort().join())
      fail(`the stored role is ${JSON.stringify(stored)}`);
    await shot('31-roles');
  });

  await step('Users page: create a local user (errors next to their fields), edit, set a password', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.locator('tr[data-user="admin"] .badge.s-admin').getByText('administrator').waitFor();
    // With the keyboard: Enter opens the dialog on its first field, Escape closes it and gives the focus back.
    const create = page.getByRole('button', { name: 'New user' });
    await create.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    if (!(await create.evaluate((el) => el === document.activeElement))) fail('the focus did not return to New user');
    await page.keyboard.press('Enter');
    await dialog.getByLabel('Name', { exact: true }).fill('Lena K');
    await dialog.getByLabel('Initial password').fill(LOCAL_INITIAL);
    await dialog.getByTestId('user-create').click();
    await fieldAlert(dialog, 'Name').waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill(LOCAL_USER);
    await dialog.getByLabel('Display name').fill('Lena Local');
    await dialog.getByLabel('Initial password').fill('short');
    await dialog.getByTestId('user-create').click();
    await fieldAlert(dialog, 'Initial password').waitFor();
    if ((await dialog.locator('.field.has-error').count()) !== 1) fail('more than the password field shows an error');
    await shot('32-user-create-error');
    await dialog.getByLabel('Initial password').fill(LOCAL_INITIAL);
    await dialog.getByTestId('user-create').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(`User ${LOCAL_USER} was created.`).waitFor();
    const row = page.locator(`tr[data-user="${LOCAL_USER}"]`);
    await row.getByText('Lena Local').waitFor();
    if ((await row.locator('.badge.s-admin').count()) !== 0) fail('lena was made an administrator');

    await page.getByRole('button', { name: `Edit ${LOCAL_USER}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${LOCAL_USER}` });
    await edit.getByLabel('Display name').fill('Lena Local (QA)');
    await edit.getByRole('heading', { name: 'API tokens' }).waitFor();
    await edit.getByTestId('user-save').click();
    await edit.waitFor({ state: 'detached' });
    await row.getByText('Lena Local (QA)').waitFor();
    // The built-in admin stays an administrator: the flag cannot be unticked here.
    await page.getByRole('button', { name: 'Edit admin' }).click();
    const editAdmin = page.getByRole('dialog', { name: 'Edit admin' });
    if (!(await editAdmin.getByLabel('Platform administrator').isDisabled())) fail('the admin flag of admin can be unticked');
    await editAdmin.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: `Set a new password for ${LOCAL_USER}` }).click();
    const reset = page.getByRole('dialog', { name: `Set a new password for ${LOCAL_USER}` });
    await reset.getByLabel('New password').fill('short');
    await reset.getByTestId('user-reset').click();
    await fieldAlert(reset, 'New password').waitFor();
    await reset.getByLabel('New password').fill(LOCAL_RESET);
    await reset.getByTestId('user-reset').click();
    await reset.waitFor({ state: 'detached' });
    await page.getByText(`The password of ${LOCAL_USER} was set.`).waitFor();
    const me = await ok('GET', `/api/v1/users/${LOCAL_USER}`, undefined, 200);
    if (me.displayName !== 'Lena Local (QA)' || me.admin) fail(`lena is ${JSON.stringify(me)}`);
  });

  await step('Users page: server-side pages of 50, administrator flag, delete with a confirmation naming the user', async () => {
    for (let i = 0; i < 60; i += 20)
      await Promise.all(
        Array.from({ length: 20 }, (_, k) => ok('POST', '/api/v1/users', { name: `u-${String(i + k).padStart(3, '0')}` }, 201)),
      );
    await page.reload();
    const rows = page.getByTestId('users').locator('tbody tr');
    await waitUntil(async () => (await rows.count()) === 50, { timeout: 10000, what: '50 users on the first page' });
    if ((await page.locator('tr[data-user="u-059"]').count()) !== 0) fail('u-059 is on the first page');
    const pager = page.getByRole('navigation', { name: 'Pages of users' });
    await pager.getByText('Page 1').waitFor();
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText('Page 2').waitFor();
    await page.locator('tr[data-user="u-059"]').waitFor();
    // admin, dave (his LDAP login made his row), lena and 60 more: 13 on the second page, and no third.
    await waitUntil(async () => (await rows.count()) === 13, { timeout: 10000, what: '13 users on the second page' });
    if (!(await pager.getByRole('button', { name: 'Next' }).isDisabled())) fail('there is a page after the second');

    await page.getByRole('button', { name: 'Edit u-058' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit u-058' });
    await edit.getByLabel('Platform administrator').check();
    await edit.getByTestId('user-save').click();
    await edit.waitFor({ state: 'detached' });
    await page.locator('tr[data-user="u-058"] .badge.s-admin').waitFor();
    if (!(await ok('GET', '/api/v1/users/u-058', undefined, 200)).admin) fail('u-058 is not an administrator');

    await page.getByRole('button', { name: 'Delete u-059' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete user u-059?' });
    await confirm.getByText(/API tokens, console sessions and project memberships of u-059/).waitFor();
    await shot('33-user-delete');
    await confirm.getByRole('button', { name: 'Delete u-059' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByText('User u-059 was deleted.').waitFor();
    await page.locator('tr[data-user="u-059"]').waitFor({ state: 'detached' });
    if ((await api('GET', '/api/v1/users/u-059')).status !== 404) fail('u-059 still exists');
    await pager.getByRole('button', { name: 'Previous' }).click();
    await page.locator('tr[data-user="admin"]').waitFor();
    // dave's account is the directory's: marked LDAP, and its password is not Wharf's to set (the API refuses too).
    await page.locator('tr[data-user="dave"]').getByText('LDAP', { exact: true }).waitFor();
    if ((await page.getByRole('button', { name: 'Set a new password for dave' }).count()) !== 0) fail('dave has a Set password button');
    const refused = await api('PUT', '/api/v1/users/dave/password', { password: 'a-local-password-9' });
    if (refused.status !== 409 || refused.body.error.field !== 'password') fail(`setting dave's password answered ${JSON.stringify(refused)}`);
    await page.getByRole('button', { name: 'Set a new password for admin' }).waitFor();
    await shot('34-users');
  });

  await step('Members page: bind an LDAP group to the custom role and a local user to a built-in one, then change it', async () => {
    await page.goto(`${srv.url}/projects/shop`);
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    const form = page.locator('form[aria-labelledby="add-member"]');
    await form.getByRole('radio', { name: 'LDAP group' }).check();
    await form.getByLabel('Role', { exact: true }).selectOption(ROLE);
    // An empty name: the API's error under the group name field.
    await form.getByTestId('member-add').click();
    await fieldAlert(form, 'Group name (as in the directory)').waitFor();
    await form.getByLabel('Group name (as in the directory)').fill('shop-devs');
    await form.getByTestId('member-add').click();
    await page.getByText(`shop-devs now has the role ${ROLE}.`).waitFor();
    const group = page.locator('tr[data-subject="shop-devs"][data-kind="group"]');
    await group.getByText(ROLE).waitFor();
    await group.getByText('LDAP group').waitFor();

    await form.getByRole('radio', { name: 'User' }).check();
    await form.getByLabel('User name').fill(LOCAL_USER);
    await form.getByLabel('Role', { exact: true }).selectOption('tester');
    await form.getByTestId('member-add').click();
    await page.getByText(`${LOCAL_USER} now has the role tester.`).waitFor();
    await page.getByRole('button', { name: `Change the role of ${LOCAL_USER} (tester)` }).click();
    const edit = page.getByRole('dialog', { name: `Change the role of ${LOCAL_USER}` });
    await edit.getByLabel('Role', { exact: true }).selectOption('viewer');
    await edit.getByRole('checkbox', { name: 'dev' }).check();
    await edit.getByTestId('member-save').click();
    await edit.waitFor({ state: 'detached' });
    const user = page.locator(`tr[data-subject="${LOCAL_USER}"][data-kind="user"]`);
    await user.getByText('viewer').waitFor();
    await user.getByRole('cell', { name: 'dev', exact: true }).waitFor();
    const bindings = (await ok('GET', '/api/v1/projects/shop/members', undefined, 200)).items;
    const summary = bindings.map((b) => `${b.kind}:${b.subject}:${b.role}:${b.environments.join('+')}`).sort().join(' ');
    if (summary !== `group:shop-devs:${ROLE}: user:${LOCAL_USER}:viewer:dev`) fail(`the project's bindings are ${summary}`);
    await shot('35-members');
  });

  let alice;
  await step('an LDAP user: a wrong password is refused, then the same login form lets them in', async () => {
    alice = await newPage();
    await submitLogin(alice, 'alice', 'not-alices-password');
    await alice.getByRole('alert').getByText('The user name or password is wrong.').waitFor();
    await shot('36-ldap-wrong-password', alice);
    await alice.getByLabel('Password', { exact: true }).fill(passwordOf('alice'));
    await alice.getByRole('button', { name: 'Log in' }).click();
    await alice.getByRole('heading', { name: 'Projects' }).waitFor();
    await alice.getByTestId('user').getByText('alice').waitFor();
    const me = await alice.evaluate(async () => (await fetch('/api/v1/me')).json());
    if (me.source !== 'ldap' || !me.groups.includes('shop-devs') || me.admin) fail(`alice is ${JSON.stringify(me)}`);
  });

  await step('the LDAP user sees the project with what the group role allows, and no administration', async () => {
    await alice.getByRole('link', { name: 'Web shop' }).waitFor();
    await noAdminNav(alice, 'alice');
    await alice.getByRole('link', { name: 'Web shop' }).click();
    await alice.locator('[data-testid="cell-web-dev"]').waitFor();
    // release-manager: no member.read, no app.create.
    if ((await alice.getByRole('link', { name: 'Members' }).count()) !== 0) fail('alice sees the Members link');
    if ((await alice.getByRole('button', { name: 'New app' }).count()) !== 0) fail('alice sees New app');
    await alice.locator('[data-testid="cell-web-dev"]').click();
    await alice.getByTestId('deploy').waitFor();
    await alice.getByRole('tab', { name: 'Releases' }).waitFor();
    // ...and no config.read: no Config tab.
    if ((await alice.getByRole('tab', { name: 'Config' }).count()) !== 0) fail('alice sees the Config tab');
    await shot('37-ldap-user-app', alice);
    // The Users page by its URL: the API refuses, and the page says so.
    await alice.goto(`${srv.url}/users`);
    await alice.getByRole('alert').waitFor();
    if ((await alice.getByTestId('users').count()) !== 0) fail('alice sees the list of users');
  });

  await step('an LDAP user in no bound group logs in and sees no project', async () => {
    const carol = await newPage();
    await submitLogin(carol, 'carol', passwordOf('carol'));
    await carol.getByRole('heading', { name: 'Projects' }).waitFor();
    await carol.getByText('You are not a member of any project yet.').waitFor();
    if ((await carol.getByRole('link', { name: 'Web shop' }).count()) !== 0) fail('carol sees the shop project');
  });

  await step('the local user logs in with the password the admin set, must change it, sees what a viewer sees', async () => {
    const lena = await newPage();
    await submitLogin(lena, LOCAL_USER, LOCAL_RESET);
    await lena.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await shot('38-local-user-password', lena);
    await lena.getByLabel('Current password').fill(LOCAL_RESET);
    await lena.getByLabel('New password', { exact: true }).fill(LOCAL_OWN);
    await lena.getByLabel('New password again').fill(LOCAL_OWN);
    await lena.getByRole('button', { name: 'Change password' }).click();
    await lena.getByRole('heading', { name: 'Projects' }).waitFor();
    await noAdminNav(lena, 'lena');
    await lena.goto(`${srv.url}/projects/shop/apps/web/environments/dev/instances`);
    await lena.getByRole('tab', { name: 'Config' }).waitFor();
    await lena.getByTestId('summary').waitFor();
    for (const id of ['deploy', 'rollback', 'scale', 'offline'])
      if ((await lena.getByTestId(id).count()) !== 0) fail(`the viewer lena sees ${id}`);
    await shot('39-local-user-app', lena);
    // The initial password no longer works, the own one does (through the API: a token login).
    const login = async (password) =>
      (await fetch(srv.url + '/api/v1/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: LOCAL_USER, password, tokenName: 'e2e' }),
      })).status;
    if ((await login(LOCAL_OWN)) !== 200) fail("lena's own password does not work");
  });

  await step('Clusters page as admin: the local cluster, and a broken kubeconfig refused next to its field', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clusters' }).click();
    await page.getByRole('heading', { name: 'Clusters', level: 1 }).waitFor();
    await page.locator('tr[data-cluster="local"]').getByText('local runtime').waitFor();
    // The built-in cluster cannot be removed.
    if ((await page.locator('tr[data-cluster="local"]').getByRole('button').count()) !== 0)
      fail('the local cluster has a Remove button');
    await shot('40-clusters');
    const form = page.locator('form[aria-labelledby="add-cluster"]');
    await form.getByLabel('Name', { exact: true }).fill('edge');
    await form.getByLabel('kubeconfig', { exact: true }).fill('apiVersion: v1\nclusters: [this is not\n  valid: yaml');
    await form.getByTestId('cluster-add').click();
    const err = fieldAlert(form, 'kubeconfig');
    await err.waitFor();
    if (!/kubeconfig/i.test(await err.textContent())) fail(`the kubeconfig error says ${await err.textContent()}`);
    await shot('41-cluster-kubeconfig-error');
    // Well-formed, but its API server is a closed port: still the kubeconfig's error, saying so.
    const closed = await freePort();
    await form.getByLabel('kubeconfig', { exact: true }).fill(
      [
        'apiVersion: v1', 'kind: Config', 'current-context: edge',
        'clusters:', '- name: edge', `  cluster: {server: "https://127.0.0.1:${closed}"}`,
        'users:', '- name: edge', '  user: {token: not-a-real-token}',
        'contexts:', '- name: edge', '  context: {cluster: edge, user: edge}',
      ].join('\n'),
    );
    await form.getByTestId('cluster-add').click();
    await waitUntil(async () => /cannot be reached|127\.0\.0\.1/.test((await err.textContent()) ?? ''), {
      timeout: 30000,
      what: 'the unreachable API server in the kubeconfig error',
    });
    await shot('42-cluster-unreachable');
    const names = (await ok('GET', '/api/v1/clusters', undefined, 200)).items.map((c) => c.name);
    if (names.join() !== 'local') fail(`clusters after the refused registrations: ${names.join(', ')}`);
  });

  await step('a role still bound cannot be deleted: the 409 names the project; unbound, it goes', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('button', { name: `Delete role ${ROLE}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete role ${ROLE}?` });
    await dialog.getByRole('button', { name: `Delete ${ROLE}` }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    const text = await alert.textContent();
    if (!text.includes('shop') || !/still granted/.test(text)) fail(`the 409 says: ${text}`);
    await shot('43-role-in-use');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('custom-roles').locator(`tr[data-role="${ROLE}"]`).waitFor();

    await page.goto(`${srv.url}/projects/shop/members`);
    await page.getByRole('button', { name: `Remove shop-devs (${ROLE})` }).click();
    const remove = page.getByRole('dialog', { name: `Remove shop-devs (${ROLE})?` });
    await remove.getByTestId('member-remove').click();
    await remove.waitFor({ state: 'detached' });
    await page.locator('tr[data-subject="shop-devs"]').waitFor({ state: 'detached' });
    // alice's access went with the binding.
    await waitUntil(async () => {
      await alice.goto(srv.url + '/');
      return (await alice.getByText('You are not a member of any project yet.').count()) === 1;
    }, { timeout: 15000, interval: 500, what: 'alice to lose the project' });

    await page.goto(`${srv.url}/roles`);
    await page.getByRole('button', { name: `Delete role ${ROLE}` }).click();
    await page.getByRole('dialog', { name: `Delete role ${ROLE}?` }).getByRole('button', { name: `Delete ${ROLE}` }).click();
    await page.getByText(`Role ${ROLE} was deleted.`).waitFor();
    if ((await ok('GET', '/api/v1/roles', undefined, 200)).items.some((r) => r.name === ROLE)) fail(`${ROLE} still exists`);
  });

  await step('the Roles page in Chinese', async () => {
    await page.getByTestId('lang').selectOption('zh-CN');
    await page.getByRole('heading', { name: '角色', level: 1 }).waitFor();
    await page.getByRole('button', { name: '新建角色' }).click();
    const dialog = page.getByRole('dialog', { name: '新建角色' });
    await dialog.getByRole('checkbox', { name: /^app\.deploy 发布和升级$/ }).waitFor();
    await dialog.getByLabel('基于').selectOption('tester');
    if (!(await dialog.getByRole('checkbox', { name: /^app\.scale / }).isChecked()))
      fail('starting from tester did not tick app.scale');
    await shot('44-role-dialog-zh-CN');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('lang').selectOption('en');
    await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
  });
}
