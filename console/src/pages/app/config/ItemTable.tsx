// The items of one published version, read-only (secret values masked unless revealed).
import { useI18n } from '../../../i18n';
import { Empty } from '../../../components/ui';
import { MASK, describeValidation, type Item } from './model';

export function ItemTable({ caption, items, testId }: { caption: string; items: Item[]; testId?: string }) {
  const { t } = useI18n();
  if (items.length === 0) return <Empty>{t('config.empty')}</Empty>;
  return (
    <table className="list config-view" data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('config.key')}</th>
          <th scope="col">{t('config.type')}</th>
          <th scope="col">{t('config.value')}</th>
          <th scope="col">{t('config.comment')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.key} data-key={i.key}>
            <th scope="row" className="mono">
              {i.key}
              {i.secret && <span className="badge secret">{t('config.secret')}</span>}
            </th>
            <td>{i.type}</td>
            <td className={`mono pre ${i.secret && i.value === MASK ? 'masked' : ''}`}>
              {i.value}
              {describeValidation(i.validation) && <div className="hint">{t('config.rule', { rule: describeValidation(i.validation) })}</div>}
            </td>
            <td>{i.comment}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
