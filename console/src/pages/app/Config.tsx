// The config centre of an app in an environment (pages/app/config/ has one file per part): the draft as a
// table of typed items with their problems inline, what it changes since its base version, publish with a
// message and an apply choice, the published versions with the difference between any two, a comparison
// with another environment, import/export as files, copy to another environment, and secret values shown
// only to callers who hold config.reveal and ask for them.
import { useState } from 'react';
import { useI18n } from '../../i18n';
import { useAction, useGet } from '../../hooks';
import { appEnvPath } from '../../api/client';
import type { ConfigVersion, Environment, Page } from '../../api/types';
import { useTick } from '../../watch';
import { DraftTable, useDraftEditor } from './config/Draft';
import { DraftChanges, PublishForm } from './config/Publish';
import { History } from './config/History';
import { CompareEnvs } from './config/Compare';
import { ExportDialog } from './config/Export';
import { ImportDialog } from './config/Import';
import { CopyDialog } from './config/Copy';
import type { LiveAnswer } from './config/model';

interface Props {
  project: string;
  app: string;
  env: string;
  envs: Environment[];
  perms: Set<string>;
}

// Everything below is per app and environment: switching either starts afresh (no edits carried over).
export function ConfigTab(props: Props) {
  return <ConfigCentre key={`${props.project}/${props.app}/${props.env}`} {...props} />;
}

function ConfigCentre({ project, app, env, envs, perms }: Props) {
  const { t } = useI18n();
  const base = appEnvPath(project, app, env);
  const canEdit = perms.has('config.edit');
  const canPublish = perms.has('config.publish');
  const canReveal = perms.has('config.reveal');
  const [reveal, setReveal] = useState(false);
  const [bump, setBump] = useState(0);
  const [dialog, setDialog] = useState<'export' | 'import' | 'copy' | null>(null);
  const [notice, setNotice] = useState('');
  // Publishes come from the watch stream; releases change what is live.
  const tick = useTick('config');
  const releaseTick = useTick(`app:${app}`);
  const shown = reveal && canReveal;
  const editor = useDraftEditor(base, shown, tick, bump);
  const versions = useGet<Page<ConfigVersion>>(`${base}/config/versions?limit=100`, tick, bump);
  const live = useGet<LiveAnswer>(`${base}/config/live`, tick, bump, releaseTick);
  const publish = useAction();
  const list = versions.data?.items ?? [];
  const others = envs.filter((e) => e.name !== env);
  const reload = () => setBump((n) => n + 1);

  return (
    <div className="config">
      <div className="config-head">
        <p className="muted" data-testid="config-live">
          {live.data && (live.data.version > 0 ? t('config.liveNow', { v: live.data.version }) : t('config.liveNone'))}
          {list.length > 0 && ` · ${t('config.latest', { v: list[0].version })}`}
        </p>
        <div className="actions" role="group" aria-label={t('config.tools')}>
          {canReveal && (
            <button
              type="button"
              aria-pressed={shown}
              disabled={editor.dirty}
              title={editor.dirty ? t('config.revealDirty') : undefined}
              onClick={() => setReveal(!reveal)}
              data-testid="config-reveal"
            >
              {t('config.reveal')}
            </button>
          )}
          <button type="button" onClick={() => setDialog('export')} data-testid="config-export">
            {t('config.export')}
          </button>
          {canEdit && (
            <button type="button" onClick={() => setDialog('import')} data-testid="config-import" disabled={!editor.draft.data}>
              {t('config.import')}
            </button>
          )}
          {canEdit && others.length > 0 && (
            <button type="button" onClick={() => setDialog('copy')} data-testid="config-copy">
              {t('config.copy')}
            </button>
          )}
        </div>
      </div>
      {shown && (
        <p className="banner warn-banner" role="status">
          {t('config.revealed')}
        </p>
      )}
      {notice && (
        <div className="banner ok" role="status">
          {notice}
        </div>
      )}
      <DraftTable editor={editor} publishError={publish.error} canEdit={canEdit} reveal={shown} />
      <DraftChanges base={base} editor={editor} reveal={shown} />
      {canPublish && <PublishForm base={base} editor={editor} publish={publish} canRestart={perms.has('app.deploy')} onPublished={reload} />}
      <History base={base} versions={list} draft={editor.draft.data} reveal={shown} reloadKey={`${tick}/${bump}`} />
      <CompareEnvs
        project={project}
        app={app}
        env={env}
        envs={envs}
        reveal={shown}
        reloadKey={`${tick}/${bump}/${releaseTick}/${editor.draft.data?.resourceVersion ?? 0}`}
      />

      {dialog === 'export' && (
        <ExportDialog base={base} app={app} env={env} versions={list} canReveal={canReveal} reveal={shown} onClose={() => setDialog(null)} />
      )}
      {dialog === 'import' && editor.draft.data && (
        <ImportDialog
          base={base}
          draft={editor.draft.data}
          dirty={editor.dirty}
          reveal={shown}
          onClose={() => setDialog(null)}
          onImported={(n) => {
            setNotice(t('config.imported', { n }));
            reload();
          }}
        />
      )}
      {dialog === 'copy' && <CopyDialog project={project} app={app} env={env} envs={envs} versions={list} onClose={() => setDialog(null)} />}
    </div>
  );
}
